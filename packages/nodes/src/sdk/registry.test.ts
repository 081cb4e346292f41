import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultRegistry } from '../default-registry.ts';
import { WaymarkError } from '../errors.ts';
import { builtinNodeTypes } from '../nodes/index.ts';
import { type AnyEffectExecutor, defineEffect } from './define-effect.ts';
import { defineNode, nextPort } from './define-node.ts';
import { NodeRegistry } from './registry.ts';
import type { AnyNodeType } from './types.ts';

const slack = (overrides: Partial<AnyNodeType> = {}): AnyNodeType => ({
  ...defineNode({
    type: 'acme.slack',
    version: 1,
    category: 'action',
    title: 'Post to Slack',
    description: 'Posts a message to a channel',
    icon: 'slack',
    config: z.strictObject({ channel: z.string().min(1), text: z.string().max(3000).optional() }),
    ports: nextPort,
    execute: () => ({ go: 'next', effect: { kind: 'acme.slack', channel: '#sales' } }),
  }),
  ...overrides,
});

const slackExecutor = (overrides: Partial<AnyEffectExecutor> = {}): AnyEffectExecutor => ({
  ...defineEffect({
    kind: 'acme.slack',
    secrets: ['slackWebhookUrl'],
    execute: async () => ({ ok: true }),
  }),
  ...overrides,
});

/** Registers and expects the whole batch to be refused with a coded error mentioning `message`. */
function expectRefused(
  registry: NodeRegistry,
  types: AnyNodeType[],
  source: string,
  message: RegExp,
  executors: AnyEffectExecutor[] = [],
) {
  const before = registry.describe();
  const executorsBefore = registry.executors();
  let error: unknown;
  try {
    registry.register(types, source, executors);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(WaymarkError);
  expect((error as WaymarkError).code).toBe('invalid_definition');
  expect((error as WaymarkError).message).toMatch(message);
  expect(registry.describe()).toEqual(before);
  expect(registry.executors()).toEqual(executorsBefore);
}

describe('the default registry', () => {
  const registry = defaultRegistry();

  it('holds every built-in node type of the format, at version 1', () => {
    expect(
      registry
        .list()
        .map((t) => t.type)
        .sort(),
    ).toEqual(
      [
        'trigger.event',
        'trigger.segment',
        'trigger.manual',
        'trigger.date',
        'flow.wait',
        'flow.waitUntil',
        'flow.waitForEvent',
        'flow.condition',
        'flow.split',
        'flow.abTest',
        'flow.approval',
        'flow.exit',
        'action.sendEmail',
        'action.updateContact',
        'action.webhook',
        'ai.generateSubject',
        'ai.sentimentGuard',
      ].sort(),
    );
    for (const t of builtinNodeTypes) {
      expect(registry.get(t.type)).toBe(t);
      expect(registry.versions(t.type)).toEqual([1]);
    }
  });

  it('answers for types and versions it does not have', () => {
    expect(registry.has('acme.slack')).toBe(false);
    expect(registry.get('acme.slack')).toBeUndefined();
    expect(registry.get('flow.wait', 2)).toBeUndefined();
    expect(registry.versions('acme.slack')).toEqual([]);
  });

  it('marks exactly the node types that may suspend a run as waiting', () => {
    expect(
      registry
        .list()
        .filter((t) => t.waits)
        .map((t) => t.type)
        .sort(),
    ).toEqual(['flow.approval', 'flow.wait', 'flow.waitForEvent', 'flow.waitUntil']);
  });
});

describe('describe()', () => {
  const descriptions = defaultRegistry().describe();
  const byType = new Map(descriptions.map((d) => [d.type, d]));

  it('describes every node type as plain JSON with an object JSON Schema for its config', () => {
    expect(descriptions).toHaveLength(builtinNodeTypes.length);
    expect(JSON.parse(JSON.stringify(descriptions))).toEqual(descriptions);
    for (const d of descriptions) {
      expect(d.configSchema).toMatchObject({ type: 'object', additionalProperties: false });
      expect(d.source).toBe('builtin');
      expect(d.title).not.toBe('');
    }
  });

  it('gives required fields, formats, enums and defaults', () => {
    expect(byType.get('flow.wait')?.configSchema).toMatchObject({
      properties: { duration: { type: 'string', format: 'duration' } },
      required: ['duration'],
    });
    expect(byType.get('flow.abTest')?.configSchema).toMatchObject({
      properties: {
        variants: { type: 'array', minItems: 2, maxItems: 10 },
        mode: { enum: ['fixed', 'bandit'], default: 'fixed' },
        metric: { enum: ['open', 'click', 'conversion'], default: 'open' },
      },
      required: ['variants'],
    });
    expect(byType.get('ai.sentimentGuard')?.configSchema).toMatchObject({
      properties: { minScore: { type: 'number', minimum: -1, maximum: 1, default: 0 } },
    });
    expect(byType.get('trigger.date')?.configSchema).toMatchObject({
      properties: { offset: { format: 'duration', 'x-waymark-negative': true } },
    });
  });

  it('describes the recursive condition language', () => {
    const schema = JSON.stringify(byType.get('flow.condition')?.configSchema);
    for (const key of ['"all"', '"any"', '"not"', '"attribute"', '"event"', '"within"']) expect(schema).toContain(key);
  });

  it('gives ports, either fixed or read from the config', () => {
    expect(byType.get('flow.condition')?.ports).toEqual([
      { id: 'yes', label: 'Yes' },
      { id: 'no', label: 'No' },
    ]);
    expect(byType.get('flow.split')?.ports).toEqual({ fromConfig: 'branches', idKey: 'port', labelKey: 'label' });
    expect(byType.get('flow.exit')?.ports).toEqual([]);
  });

  it('describes a package node type with its source', () => {
    const d = defaultRegistry()
      .register([slack()], '@acme/waymark-slack')
      .describe()
      .find((x) => x.type === 'acme.slack');
    expect(d).toMatchObject({
      source: '@acme/waymark-slack',
      version: 1,
      category: 'action',
      configSchema: {
        type: 'object',
        required: ['channel'],
        properties: { channel: { type: 'string', minLength: 1 } },
      },
    });
  });
});

describe('register()', () => {
  it('adds package node types and new versions from the same package', () => {
    const v2 = slack({ version: 2 });
    const registry = defaultRegistry().register([slack()], 'acme').register([v2], 'acme');
    expect(registry.versions('acme.slack')).toEqual([1, 2]);
    expect(registry.get('acme.slack', 2)).toBe(v2);
  });

  it('refuses a type and version registered before, from any source', () => {
    const registry = defaultRegistry().register([slack()], 'acme');
    expectRefused(registry, [slack()], 'acme', /acme\.slack@1 is already registered by acme/);
  });

  it('refuses a batch that holds the same type and version twice, adding neither', () => {
    const registry = defaultRegistry();
    expectRefused(registry, [slack(), slack()], 'acme', /already registered/);
    expect(registry.has('acme.slack')).toBe(false);
  });

  it("refuses a version of another package's type", () => {
    const registry = defaultRegistry().register([slack()], 'acme');
    expectRefused(registry, [slack({ version: 2 })], 'rogue', /belongs to acme/);
    expect(registry.versions('acme.slack')).toEqual([1]);
  });

  it('refuses built-in namespaces to packages', () => {
    for (const type of ['flow.slack', 'action.slack', 'trigger.slack', 'ai.slack'])
      expectRefused(defaultRegistry(), [slack({ type })], 'acme', /reserved for built-in/);
  });

  it('refuses a second copy of the built-ins', () => {
    expectRefused(defaultRegistry(), [...builtinNodeTypes], 'builtin', /already registered/);
  });

  it.each([
    { name: 'a type that is not namespaced', bad: { type: 'Slack' }, message: /namespaced/ },
    { name: 'version 0', bad: { version: 0 }, message: /version/ },
    { name: 'a fractional version', bad: { version: 1.5 }, message: /version/ },
    { name: 'an unknown category', bad: { category: 'widget' as never }, message: /category/ },
    { name: 'an empty title', bad: { title: '' }, message: /title/ },
    { name: 'no execute', bad: { execute: undefined as never }, message: /execute/ },
    { name: 'a config that is not a zod schema', bad: { config: { channel: 'string' } as never }, message: /zod/ },
    { name: 'ports that are neither a list nor fromConfig', bad: { ports: 'next' as never }, message: /ports/ },
  ])('refuses $name and registers nothing of the batch', ({ bad, message }) => {
    const registry = new NodeRegistry();
    const good = slack({ type: 'acme.teams' });
    expectRefused(registry, [good, slack(bad)], 'acme', message);
    expect(registry.list()).toEqual([]);
  });

  it('refuses something that is not a node type at all', () => {
    const registry = new NodeRegistry();
    expectRefused(registry, [slack(), null as unknown as AnyNodeType], 'acme', /not an object/);
    expect(registry.list()).toEqual([]);
  });

  it('names every shape problem of a node type at once', () => {
    expectRefused(
      new NodeRegistry(),
      [slack({ version: 0, title: '', execute: undefined as never })],
      'acme',
      /version.*title.*execute/,
    );
  });
});

describe('register() with migrations', () => {
  it('accepts a version that migrates from an earlier one', () => {
    const v2 = slack({ version: 2, migrate: { from: 1, up: (c) => c } });
    expect(defaultRegistry().register([slack(), v2], 'acme').versions('acme.slack')).toEqual([1, 2]);
  });

  it.each([
    { name: 'from the same version', migrate: { from: 2, up: (c: unknown) => c } },
    { name: 'from a later version', migrate: { from: 3, up: (c: unknown) => c } },
    { name: 'from version 0', migrate: { from: 0, up: (c: unknown) => c } },
    { name: 'without up', migrate: { from: 1 } as never },
  ])('refuses a migration $name', ({ migrate }) => {
    expectRefused(defaultRegistry(), [slack(), slack({ version: 2, migrate })], 'acme', /migrate must be/);
  });
});

describe('register() with effect executors', () => {
  it('registers executors with the node types of the same source and finds them by kind', () => {
    const executor = slackExecutor();
    const registry = defaultRegistry().register([slack()], '@acme/slack', [executor]);
    expect(registry.executor('acme.slack')).toBe(executor);
    expect(registry.executor('acme.teams')).toBeUndefined();
    expect(registry.executors()).toEqual([{ executor, source: '@acme/slack' }]);
  });

  it('refuses a kind that already has an executor, naming its owner, and adds nothing of the batch', () => {
    const registry = defaultRegistry().register([slack()], '@acme/slack', [slackExecutor()]);
    expectRefused(
      registry,
      [slack({ type: 'rogue.slack' })],
      '@rogue/slack',
      /effect kind acme\.slack already has an executor from @acme\/slack/,
      [slackExecutor()],
    );
    expect(registry.has('rogue.slack')).toBe(false);
  });

  it('refuses two executors of one kind in one batch', () => {
    expectRefused(defaultRegistry(), [slack()], 'acme', /already has an executor/, [slackExecutor(), slackExecutor()]);
  });

  it('adds no executor when a node type of the batch is malformed', () => {
    const registry = defaultRegistry();
    expectRefused(registry, [slack({ title: '' })], 'acme', /title/, [slackExecutor()]);
    expect(registry.executor('acme.slack')).toBeUndefined();
  });

  it.each([
    { name: 'a kind without a namespace', bad: { kind: 'slack' as never }, message: /namespaced/ },
    { name: 'a built-in namespace', bad: { kind: 'action.slack' as never }, message: /reserved/ },
    { name: 'no execute', bad: { execute: undefined as never }, message: /execute/ },
    { name: 'secrets that are not a list', bad: { secrets: 'url' as never }, message: /secrets/ },
    { name: 'a secret name with spaces', bad: { secrets: ['web hook'] }, message: /secrets/ },
    { name: 'a zero time limit', bad: { timeoutMs: 0 }, message: /timeoutMs/ },
    { name: 'a schema that is not zod', bad: { schema: {} as never }, message: /zod/ },
  ])('refuses an executor with $name', ({ bad, message }) => {
    expectRefused(defaultRegistry(), [slack()], 'acme', message, [slackExecutor(bad)]);
  });

  it('refuses something that is not an executor at all', () => {
    expectRefused(defaultRegistry(), [slack()], 'acme', /not an object/, [null as unknown as AnyEffectExecutor]);
  });
});
