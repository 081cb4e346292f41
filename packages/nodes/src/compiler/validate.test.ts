import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Problem, type ProblemCode, problemCodes } from '../errors.ts';
import { builtinNodeTypes } from '../nodes/index.ts';
import { definition, type NodeSpec, registry } from '../test-util.ts';
import { validateJourney } from './validate.ts';

const start: NodeSpec = { id: 'start', type: 'trigger.event', config: { event: 'go' } };
const end: NodeSpec = { id: 'end', type: 'flow.exit' };
const yesNo = (id: string): NodeSpec => ({
  id,
  type: 'flow.condition',
  config: { if: { attribute: 'plan', op: 'eq', value: 'pro' } },
});

const problemsOf = (input: unknown) => validateJourney(input, registry).problems;

/** Codes that need the workspace's stored templates and segments: see references.test.ts. */
const referenceCodes = ['unknown_template', 'unknown_segment'] as const;

/** One journey per problem code, with the problem it must produce; the Record type makes the list exhaustive. */
const casesByCode: Record<
  Exclude<ProblemCode, (typeof referenceCodes)[number]>,
  { journey: unknown; problem: Partial<Problem> }
> = {
  invalid_json: { journey: '{"schemaVersion": 1, "id": ', problem: { code: 'invalid_json' } },
  invalid_definition: {
    journey: { ...definition([start, end], ['start -> end']), nodes: [start, { id: 'w', type: 'Wait', config: {} }] },
    problem: { code: 'invalid_definition', nodeId: 'w', path: ['nodes', 1, 'type'] },
  },
  unsupported_schema_version: {
    journey: { ...definition([start, end], ['start -> end']), schemaVersion: 2 },
    problem: { code: 'unsupported_schema_version', path: ['schemaVersion'] },
  },
  no_trigger: {
    journey: definition([{ id: 'w', type: 'flow.wait', config: { duration: 'PT1H' } }, end], ['w -> end']),
    problem: { code: 'no_trigger' },
  },
  duplicate_node_id: {
    journey: definition([start, end, { id: 'end', type: 'flow.exit' }], ['start -> end']),
    problem: { code: 'duplicate_node_id', nodeId: 'end' },
  },
  unknown_node_type: {
    journey: definition(
      [start, { id: 'slack', type: 'acme.slack', config: {} }, end],
      ['start -> slack', 'slack -> end'],
    ),
    problem: { code: 'unknown_node_type', nodeId: 'slack', path: ['type'] },
  },
  unknown_node_version: {
    journey: definition(
      [start, { id: 'w', type: 'flow.wait', typeVersion: 2, config: { duration: 'PT1H' } }, end],
      ['start -> w', 'w -> end'],
    ),
    problem: { code: 'unknown_node_version', nodeId: 'w', path: ['typeVersion'] },
  },
  invalid_config: {
    journey: definition(
      [start, { id: 'w', type: 'flow.wait', config: { duration: 'soon' } }, end],
      ['start -> w', 'w -> end'],
    ),
    problem: { code: 'invalid_config', nodeId: 'w', path: ['duration'] },
  },
  unknown_port: {
    journey: definition(
      [start, yesNo('check'), end],
      ['start -> check', 'check:yes -> end', 'check:no -> end', 'check:maybe -> end'],
    ),
    problem: { code: 'unknown_port', nodeId: 'check', edgeId: 'check:maybe->end' },
  },
  dangling_port: {
    journey: definition([start, yesNo('check'), end], ['start -> check', 'check:yes -> end']),
    problem: { code: 'dangling_port', nodeId: 'check', path: ['ports', 'no'] },
  },
  duplicate_port_edge: {
    journey: definition([start, end, { id: 'other', type: 'flow.exit' }], ['start -> end', 'start -> other']),
    problem: { code: 'duplicate_port_edge', nodeId: 'start', edgeId: 'start:next->other' },
  },
  edge_to_missing_node: {
    journey: definition([start, end], ['start -> ghost']),
    problem: { code: 'edge_to_missing_node', nodeId: 'start', edgeId: 'start:next->ghost' },
  },
  edge_from_missing_node: {
    journey: definition([start, end], ['start -> end', 'ghost -> end']),
    problem: { code: 'edge_from_missing_node', edgeId: 'ghost:next->end' },
  },
  edge_into_trigger: {
    journey: definition(
      [start, { id: 'w', type: 'flow.wait', config: { duration: 'PT1H' } }],
      ['start -> w', 'w -> start'],
    ),
    problem: { code: 'edge_into_trigger', nodeId: 'start', edgeId: 'w:next->start' },
  },
  unreachable_node: {
    journey: definition([start, end, { id: 'orphan', type: 'flow.exit' }], ['start -> end']),
    problem: { code: 'unreachable_node', nodeId: 'orphan' },
  },
  cycle_without_wait: {
    journey: definition(
      [start, yesNo('check'), { id: 'tag', type: 'action.updateContact', config: { set: { looped: true } } }, end],
      ['start -> check', 'check:yes -> tag', 'tag -> check', 'check:no -> end'],
    ),
    problem: { code: 'cycle_without_wait', nodeId: 'tag' },
  },
  exit_has_outgoing_edges: {
    journey: definition([start, end, { id: 'after', type: 'flow.exit' }], ['start -> end', 'end -> after']),
    problem: { code: 'exit_has_outgoing_edges', nodeId: 'end', edgeId: 'end:next->after' },
  },
  invalid_weights: {
    journey: definition(
      [
        start,
        {
          id: 'split',
          type: 'flow.split',
          config: {
            branches: [
              { port: 'a', weight: 3 },
              { port: 'b', weight: -1 },
            ],
          },
        },
        end,
      ],
      ['start -> split', 'split:a -> end', 'split:b -> end'],
    ),
    problem: { code: 'invalid_weights', nodeId: 'split', path: ['branches', 1, 'weight'] },
  },
  invalid_timezone: {
    journey: definition([start, end], ['start -> end'], { timezone: 'Mars/Olympus' }),
    problem: { code: 'invalid_timezone', path: ['settings', 'timezone'] },
  },
};

describe('validateJourney: one case per problem code', () => {
  it('has a case for every code in problemCodes', () => {
    const fromStoredIds = new Set<string>(referenceCodes);
    expect(Object.keys(casesByCode).sort()).toEqual(problemCodes.filter((c) => !fromStoredIds.has(c)).sort());
  });

  it.each(Object.entries(casesByCode))('%s', (_code, { journey, problem }) => {
    const result = validateJourney(journey, registry);
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual(expect.objectContaining(problem));
    for (const p of result.problems) {
      expect(problemCodes).toContain(p.code);
      expect(p.message).not.toBe('');
    }
  });
});

describe('validateJourney: details of problems', () => {
  it('locates a missing key at its path', () => {
    expect(problemsOf({ schemaVersion: 1, id: 'j' })).toEqual([
      expect.objectContaining({ code: 'invalid_definition', path: ['nodes'] }),
    ]);
  });

  it.each([null, 42, 'null', '[]', [], true])('rejects %j as not a journey object', (input) => {
    expect(problemsOf(input)).toEqual([expect.objectContaining({ code: 'invalid_definition' })]);
  });

  it.each([0, -1, 1.5, '1'])('rejects schemaVersion %j', (schemaVersion) => {
    expect(problemsOf({ ...definition([start, end], ['start -> end']), schemaVersion })).toEqual([
      expect.objectContaining({ code: 'invalid_definition', path: ['schemaVersion'] }),
    ]);
  });

  it('rejects an unknown top-level key', () => {
    expect(problemsOf({ ...definition([start, end], ['start -> end']), layout: {} })).toContainEqual(
      expect.objectContaining({ code: 'invalid_definition' }),
    );
  });

  it('names a journey with no nodes at all', () => {
    expect(problemsOf(definition([], []))).toEqual([expect.objectContaining({ code: 'no_trigger' })]);
  });

  it('reports each node of a loop without a wait', () => {
    const problems = problemsOf(casesByCode.cycle_without_wait.journey).filter((p) => p.code === 'cycle_without_wait');
    expect(problems.map((p) => p.nodeId).sort()).toEqual(['check', 'tag']);
  });

  it('reports a node that loops to itself without waiting', () => {
    expect(
      problemsOf(definition([start, yesNo('check'), end], ['start -> check', 'check:yes -> check', 'check:no -> end'])),
    ).toEqual([expect.objectContaining({ code: 'cycle_without_wait', nodeId: 'check' })]);
  });

  it('accepts a loop that waits', () => {
    const result = validateJourney(
      definition(
        [
          start,
          { id: 'paid', type: 'flow.waitForEvent', config: { event: 'paid', timeout: 'P1D' } },
          { id: 'nudge', type: 'action.sendEmail', config: { template: 'nudge' } },
          end,
        ],
        ['start -> paid', 'paid:timeout -> nudge', 'nudge -> paid', 'paid:event -> end'],
      ),
      registry,
    );
    expect(result.problems).toEqual([]);
  });

  it('reports a duplicate node once and keeps checking the rest', () => {
    const problems = problemsOf(
      definition([start, end, { id: 'end', type: 'flow.wait', config: {} }], ['start -> end']),
    );
    expect(problems).toEqual([expect.objectContaining({ code: 'duplicate_node_id', nodeId: 'end' })]);
  });

  it('reports an unknown port with the outputs that exist', () => {
    const problem = problemsOf(casesByCode.unknown_port.journey).find((p) => p.code === 'unknown_port');
    expect(problem?.message).toMatch(/yes, no/);
  });

  it('accepts JSON text as well as an object', () => {
    const text = JSON.stringify(definition([start, end], ['start -> end']));
    expect(validateJourney(text, registry)).toMatchObject({ ok: true, problems: [] });
  });
});

describe('validateJourney: collecting every problem', () => {
  it('reports every problem of a journey, not only the first', () => {
    const problems = problemsOf(
      definition(
        [
          start,
          { id: 'slack', type: 'acme.slack', config: {} },
          { id: 'w', type: 'flow.wait', config: { duration: 'soon' } },
          { id: 'w2', type: 'flow.wait', config: {} },
          yesNo('check'),
          end,
          { id: 'end', type: 'flow.exit' },
          { id: 'orphan', type: 'action.sendEmail', config: { template: 'x' } },
        ],
        [
          'start -> check',
          'check:yes -> end',
          'check:maybe -> end',
          'end -> start',
          'ghost -> end',
          'orphan -> nowhere',
        ],
      ),
    );
    const summary = problems.map((p) =>
      `${p.code} ${p.nodeId ?? ''} ${p.edgeId ?? ''} ${JSON.stringify(p.path ?? null)}`.trim(),
    );
    expect(summary).toEqual(
      expect.arrayContaining([
        'duplicate_node_id end  null',
        'unknown_node_type slack  ["type"]',
        'invalid_config w  ["duration"]',
        'invalid_config w2  ["duration"]',
        'unknown_port check check:maybe->end null',
        'exit_has_outgoing_edges end end:next->start null',
        'edge_into_trigger start end:next->start null',
        'edge_from_missing_node  ghost:next->end null',
        'edge_to_missing_node orphan orphan:next->nowhere null',
        'dangling_port check  ["ports","no"]',
        'dangling_port orphan  ["ports","next"]',
        'unreachable_node orphan  null',
      ]),
    );
  });

  it('reports every config problem of one node', () => {
    const problems = problemsOf(
      definition(
        [start, { id: 'hook', type: 'action.webhook', config: { url: 'ftp://x', method: 'FETCH', body: 3 } }, end],
        ['start -> hook', 'hook -> end', 'hook:failed -> end'],
      ),
    ).filter((p) => p.code === 'invalid_config');
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining([['url'], ['method'], ['body']]));
    expect(problems.every((p) => p.nodeId === 'hook')).toBe(true);
  });

  it('reports node problems alongside a bad journey time zone', () => {
    // An unknown zone is a settings problem; it should not hide the problems of the nodes.
    const problems = problemsOf(
      definition(
        [start, { id: 'w', type: 'flow.wait', config: { duration: 'soon' } }, end],
        ['start -> w', 'w -> end'],
        {
          timezone: 'Mars/Olympus',
        },
      ),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ code: 'invalid_timezone', path: ['settings', 'timezone'] }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ code: 'invalid_config', nodeId: 'w', path: ['duration'] }),
    );
  });

  it('does not call the nodes after a node with a bad config unreachable', () => {
    // The edges of a node with a bad config are still known, so what follows it is still reachable;
    // painting every later node as unreachable would bury the one real mistake.
    const problems = problemsOf(
      definition(
        [
          start,
          { id: 'w', type: 'flow.wait', config: { duration: 'soon' } },
          { id: 'mail', type: 'action.sendEmail', config: { template: 'x' } },
          end,
        ],
        ['start -> w', 'w -> mail', 'mail -> end'],
      ),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ code: 'invalid_config', nodeId: 'w', path: ['duration'] }),
    );
    expect(problems.filter((p) => p.code !== 'invalid_config')).toEqual([]);
  });
});

describe('validateJourney: the prepared journey', () => {
  it('resolves types, applies config defaults and wires ports', () => {
    const result = validateJourney(
      definition(
        [
          start,
          {
            id: 'ab',
            type: 'flow.abTest',
            config: {
              variants: [
                { port: 'a', weight: 1 },
                { port: 'b', weight: 1, label: 'Bold' },
              ],
            },
          },
          end,
          { id: 'end2', type: 'flow.exit' },
        ],
        ['start -> ab', 'ab:a -> end', 'ab:b -> end2'],
      ),
      registry,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const ab = result.journey.nodes.get('ab');
    expect(ab?.config).toMatchObject({ mode: 'fixed', metric: 'open' });
    expect(ab?.ports).toEqual([
      { id: 'a', label: 'A' },
      { id: 'b', label: 'Bold' },
    ]);
    expect(Object.fromEntries(ab?.out ?? [])).toEqual({ a: 'end', b: 'end2' });
    expect(result.journey.triggers.map((t) => t.node.id)).toEqual(['start']);
    expect(result.journey.definition.settings).toEqual({});
  });
});

describe('validateJourney: never throws', () => {
  it('returns problems for a deeply nested condition instead of overflowing the stack', () => {
    let condition: unknown = { attribute: 'plan', op: 'exists' };
    for (let i = 0; i < 5000; i++) condition = { not: condition };
    const journey = definition(
      [start, { id: 'check', type: 'flow.condition', config: { if: condition } }, end],
      ['start -> check', 'check:yes -> end', 'check:no -> end'],
    );
    let result: ReturnType<typeof validateJourney> | undefined;
    expect(() => {
      result = validateJourney(journey, registry);
    }).not.toThrow();
    for (const p of result?.problems ?? []) expect(problemCodes).toContain(p.code);
  });

  it('answers any JSON value with a result', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const result = validateJourney(value, registry);
        expect(result.ok).toBe(result.problems.length === 0);
        for (const p of result.problems) expect(problemCodes).toContain(p.code);
      }),
      { numRuns: 300 },
    );
  });

  it('answers journey-shaped documents with arbitrary configs and edges with a result', () => {
    const types = [...builtinNodeTypes.map((t) => t.type), 'acme.unknown'];
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const journey = fc.record({
      schemaVersion: fc.constant(1),
      id: fc.constant('fuzz'),
      settings: fc.oneof(fc.constant({}), fc.record({ timezone: fc.constantFrom('UTC', 'Europe/Warsaw', 'Nowhere') })),
      nodes: fc.array(
        fc.record({
          id: fc.constantFrom(...ids),
          type: fc.constantFrom(...types),
          config: fc.dictionary(
            fc.constantFrom(
              'event',
              'duration',
              'if',
              'branches',
              'variants',
              'template',
              'set',
              'url',
              'source',
              'time',
            ),
            fc.jsonValue({ maxDepth: 3 }),
          ),
        }),
        { maxLength: 6 },
      ),
      edges: fc.array(
        fc.record({
          from: fc.constantFrom(...ids),
          port: fc.constantFrom('next', 'yes', 'no', 'a', 'event', 'timeout'),
          to: fc.constantFrom(...ids),
        }),
        { maxLength: 8 },
      ),
    });
    fc.assert(
      fc.property(journey, (doc) => {
        const result = validateJourney(doc, registry);
        expect(result.ok).toBe(result.problems.length === 0);
        for (const p of result.problems) expect(problemCodes).toContain(p.code);
      }),
      { numRuns: 300 },
    );
  });
});
