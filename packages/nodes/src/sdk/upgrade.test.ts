import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultRegistry } from '../default-registry.ts';
import { defineNode, nextPort } from './define-node.ts';
import { upgradeNodeConfig } from './upgrade.ts';

const base = {
  type: 'acme.note',
  category: 'action' as const,
  title: 'Note',
  description: 'Writes a note',
  icon: 'note',
  ports: nextPort,
  execute: () => ({ go: 'next' }),
};
const v1 = defineNode({ ...base, version: 1, config: z.strictObject({ message: z.string() }) });
const v2 = defineNode({
  ...base,
  version: 2,
  config: z.strictObject({ text: z.string().min(1) }),
  migrate: { from: 1, up: (c) => ({ text: (c as { message: string }).message }) },
});
const v3 = defineNode({
  ...base,
  version: 3,
  config: z.strictObject({ text: z.string().min(1), loud: z.boolean() }),
  migrate: { from: 2, up: (c) => ({ ...(c as object), loud: false }) },
});
const registry = defaultRegistry().register([v1, v2, v3], 'acme');

describe('upgradeNodeConfig', () => {
  it('chains migrations up to the newest version', () => {
    expect(upgradeNodeConfig(registry, 'acme.note', 1, { message: 'hi' })).toEqual({
      ok: true,
      version: 3,
      config: { text: 'hi', loud: false },
    });
  });

  it('stops at the version asked for', () => {
    expect(upgradeNodeConfig(registry, 'acme.note', 1, { message: 'hi' }, 2)).toEqual({
      ok: true,
      version: 2,
      config: { text: 'hi' },
    });
  });

  it('leaves a config already at the target as it is, after checking it', () => {
    expect(upgradeNodeConfig(registry, 'acme.note', 3, { text: 'x', loud: true })).toMatchObject({ ok: true });
    expect(upgradeNodeConfig(registry, 'acme.note', 3, { text: 'x' })).toMatchObject({
      ok: false,
      problems: [{ code: 'invalid_config', path: ['loud'] }],
    });
  });

  it('reports a migrated config the new version rejects, with its path', () => {
    expect(upgradeNodeConfig(registry, 'acme.note', 1, { message: '' })).toMatchObject({
      ok: false,
      problems: [{ code: 'invalid_config', path: ['text'] }],
    });
  });

  it('reports a migration that throws', () => {
    expect(upgradeNodeConfig(registry, 'acme.note', 1, null)).toMatchObject({
      ok: false,
      problems: [{ code: 'invalid_config', message: expect.stringContaining('from version 1 to 2 failed') }],
    });
  });

  it.each([
    { name: 'an unknown type', r: registry, type: 'acme.missing', from: 1, to: undefined, code: 'unknown_node_type' },
    { name: 'an unknown target', r: registry, type: 'acme.note', from: 1, to: 9, code: 'unknown_node_version' },
    {
      name: 'a gap in the chain',
      r: defaultRegistry().register([v1, v3], 'acme'),
      type: 'acme.note',
      from: 1,
      to: undefined,
      code: 'unknown_node_version',
    },
    { name: 'a downgrade', r: registry, type: 'acme.note', from: 3, to: 1, code: 'unknown_node_version' },
  ])('reports $name', ({ r, type, from, to, code }) => {
    expect(upgradeNodeConfig(r, type, from, { message: 'x' }, to)).toMatchObject({ ok: false, problems: [{ code }] });
  });
});
