import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultRegistry } from '../default-registry.ts';
import { defineNode, nextPort } from './define-node.ts';
import { nodeUpgrades, upgradeJourneyNodes, upgradeNodeConfig } from './upgrade.ts';

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

const journey = (nodes: Record<string, unknown>[]) => ({
  schemaVersion: 1,
  id: 'j',
  nodes: [{ id: 'start', type: 'trigger.manual', config: {} }, ...nodes],
  edges: [{ from: 'start', to: 'a' }],
  settings: { reEntry: 'always' },
});

describe('nodeUpgrades', () => {
  it('lists the steps pinned to an older version than the newest, reading an unset version as 1', () => {
    const draft = journey([
      { id: 'a', type: 'acme.note', config: { message: 'x' } },
      { id: 'b', type: 'acme.note', typeVersion: 2, config: { text: 'x' } },
      { id: 'c', type: 'acme.note', typeVersion: 3, config: { text: 'x', loud: true } },
    ]);
    expect(nodeUpgrades(draft, registry)).toEqual([
      { node: 'a', type: 'acme.note', from: 1, to: 3 },
      { node: 'b', type: 'acme.note', from: 2, to: 3 },
    ]);
  });

  it('reads a malformed draft without throwing: unknown types and odd entries are not upgradable', () => {
    expect(nodeUpgrades({ nodes: 'none' }, registry)).toEqual([]);
    expect(nodeUpgrades(null, registry)).toEqual([]);
    expect(
      nodeUpgrades(
        { nodes: [null, 7, { id: 'x', type: 'acme.missing' }, { id: 'y', type: 'acme.note', typeVersion: 'one' }] },
        registry,
      ),
    ).toEqual([]);
  });
});

describe('upgradeJourneyNodes', () => {
  const draft = journey([
    { id: 'a', type: 'acme.note', config: { message: 'hi' } },
    { id: 'b', type: 'acme.note', typeVersion: 2, config: { text: 'there' } },
  ]);

  it('migrates every upgradable step and keeps the rest of the definition', () => {
    const r = upgradeJourneyNodes(draft, registry);
    expect(r).toEqual({
      ok: true,
      definition: {
        ...draft,
        nodes: [
          draft.nodes[0],
          { id: 'a', type: 'acme.note', typeVersion: 3, config: { text: 'hi', loud: false } },
          { id: 'b', type: 'acme.note', typeVersion: 3, config: { text: 'there', loud: false } },
        ],
      },
      upgraded: [
        { node: 'a', type: 'acme.note', from: 1, to: 3 },
        { node: 'b', type: 'acme.note', from: 2, to: 3 },
      ],
    });
  });

  it('upgrades only the steps asked for', () => {
    const r = upgradeJourneyNodes(draft, registry, ['b']);
    expect(r.ok && r.definition.nodes).toEqual([
      draft.nodes[0],
      draft.nodes[1],
      { id: 'b', type: 'acme.note', typeVersion: 3, config: { text: 'there', loud: false } },
    ]);
    expect(r.ok && r.upgraded.map((u) => u.node)).toEqual(['b']);
  });

  it('upgrades nothing when one step cannot be upgraded, naming that step', () => {
    const broken = journey([
      { id: 'a', type: 'acme.note', config: { message: 'fine' } },
      { id: 'b', type: 'acme.note', config: { message: '' } },
    ]);
    expect(upgradeJourneyNodes(broken, registry)).toEqual({
      ok: false,
      problems: [
        {
          code: 'invalid_config',
          nodeId: 'b',
          path: ['text'],
          message: expect.stringMatching(/^step "b": Note version 3: text: /),
        },
      ],
    });
  });

  it('names the step whose migration throws', () => {
    const strict = defineNode({
      ...base,
      version: 2,
      config: z.strictObject({ text: z.string() }),
      migrate: {
        from: 1,
        up: (c) => {
          throw new Error(`cannot read ${JSON.stringify(c)}`);
        },
      },
    });
    const throwing = defaultRegistry().register([v1, strict], 'acme');
    const r = upgradeJourneyNodes(journey([{ id: 'a', type: 'acme.note', config: { message: 'x' } }]), throwing);
    expect(r).toMatchObject({
      ok: false,
      problems: [
        {
          nodeId: 'a',
          message: expect.stringMatching(/^step "a": migrating acme.note from version 1 to 2 failed: cannot read/),
        },
      ],
    });
  });
});
