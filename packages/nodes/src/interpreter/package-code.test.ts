import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validateJourney } from '../compiler/validate.ts';
import { defaultRegistry } from '../default-registry.ts';
import { WaymarkError } from '../errors.ts';
import { defineNode, nextPort } from '../sdk/define-node.ts';
import { advance } from './advance.ts';

/** Package code that fails where the interpreter and validator call it, to check it fails only itself. */
const flaky = defineNode({
  type: 'acme.flakyTrigger',
  version: 1,
  category: 'trigger',
  title: 'Flaky trigger',
  description: 'Throws when asked whether to enrol',
  icon: 'bolt',
  config: z.strictObject({ how: z.enum(['throw', 'timeout', 'fine']) }),
  ports: nextPort,
  check: (config) => {
    if (config.how === 'throw') throw new Error('check exploded');
    return [];
  },
  enrols: (config) => {
    if (config.how === 'timeout')
      throw new WaymarkError('node_timeout', 'enrols ran for more than 5 ms and was stopped');
    if (config.how === 'throw') throw new Error('enrols exploded');
    return true;
  },
  execute: () => ({ go: 'next' }),
});
const registry = defaultRegistry().register([flaky], 'acme');

const journey = (how: string) => ({
  schemaVersion: 1,
  id: 'flaky',
  nodes: [
    { id: 'flaky', type: 'acme.flakyTrigger', config: { how } },
    { id: 'manual', type: 'trigger.manual', config: {} },
    { id: 'end', type: 'flow.exit', config: {} },
  ],
  edges: [
    { from: 'flaky', to: 'end' },
    { from: 'manual', to: 'end' },
  ],
});

describe('package code that fails outside execute', () => {
  it('turns a config check that throws into a problem on its node', () => {
    const r = validateJourney(journey('throw'), registry);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      {
        code: 'invalid_config',
        message: 'Flaky trigger: the config check failed: check exploded',
        nodeId: 'flaky',
        path: [],
      },
    ]);
  });

  it.each([
    { how: 'timeout', code: 'node_timeout' },
    { how: 'fine', code: undefined },
  ])('reports an enrols that fails ($how) as a coded error and lets other triggers enrol', ({ how, code }) => {
    const v = validateJourney(journey(how), registry);
    if (!v.ok) throw new Error(JSON.stringify(v.problems));
    const r = advance(v.journey, undefined, { kind: 'manual' }, { now: 0, contact: { id: 'ann', attributes: {} } });
    if (code === undefined) expect(r.errors).toEqual([]);
    else
      expect(r.errors).toEqual([
        { code, message: expect.stringContaining('could not decide whether to enrol'), nodeId: 'flaky' },
      ]);
    expect(r.state.entries).toBe(1);
  });
});
