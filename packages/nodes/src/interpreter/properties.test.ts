import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileGraph,
  definitionToGraph,
  type GraphLayout,
  graphToDefinition,
  type JourneyGraph,
} from '../compiler/graph.ts';
import { type PreparedJourney, validateJourney } from '../compiler/validate.ts';
import { builtinNodeTypes } from '../nodes/index.ts';
import type { JourneyContact, JourneySettings } from '../schema/definition.ts';
import type { RuntimeEvent, VariantStats } from '../sdk/types.ts';
import { at, registry } from '../test-util.ts';
import { advance } from './advance.ts';
import type { AdvanceInput, AdvanceResult, ContactJourneyState, Step } from './state.ts';

// ---------------------------------------------------------------------------------------------
// Random valid journeys. A list of numbers drives the choices, so fast-check shrinks a failing
// journey by shortening the list (an exhausted list always chooses an exit).
// ---------------------------------------------------------------------------------------------

interface RandomNode {
  id: string;
  type: string;
  config: Record<string, unknown>;
}

interface RandomJourney {
  definition: {
    schemaVersion: 1;
    id: string;
    settings: JourneySettings;
    nodes: RandomNode[];
    edges: { from: string; port?: string; to: string }[];
  };
  contact: JourneyContact;
}

const waitingTypes = new Set(builtinNodeTypes.filter((t) => t.waits).map((t) => t.type));

function buildJourney(choices: readonly number[]): RandomJourney {
  let i = 0;
  const pick = (n: number) => (n <= 1 ? 0 : (choices[i++] ?? 0) % n);
  const oneOf = <T>(items: readonly T[]): T => items[pick(items.length)] as T;

  const settings: JourneySettings = {};
  const reEntry = oneOf([undefined, 'afterExit', 'always'] as const);
  if (reEntry) settings.reEntry = reEntry;
  const timezone = oneOf([undefined, 'UTC', 'Europe/Warsaw', 'America/New_York'] as const);
  if (timezone) settings.timezone = timezone;
  if (pick(3) === 1)
    settings.quietHours = oneOf([
      { start: '21:00', end: '08:00' },
      { start: '12:00', end: '13:30' },
    ]);
  if (pick(3) === 1) settings.frequencyCap = { max: 1 + pick(3), per: oneOf(['PT12H', 'P1D', 'P7D']) };
  if (pick(3) === 1) settings.exitOn = [{ event: 'goal' }];

  const nodes: RandomNode[] = [{ id: 'start', type: 'trigger.event', config: { event: 'start' } }];
  const edges: RandomJourney['definition']['edges'] = [];
  let exit: string | undefined;
  const exitNode = () => {
    if (!exit) {
      exit = 'end';
      nodes.push({ id: exit, type: 'flow.exit', config: {} });
    }
    return exit;
  };

  const make = (id: string, ancestors: readonly RandomNode[]): { node: RandomNode; ports: string[] } => {
    const kind = pick(13);
    const node = (type: string, config: Record<string, unknown>, ports: string[] = ['next']) => ({
      node: { id, type, config },
      ports,
    });
    const branches = (key: string) => {
      const list = ['a', 'b', 'c'].slice(0, 2 + pick(2)).map((port) => ({ port, weight: 1 + pick(9) }));
      return { config: { [key]: list }, ports: list.map((b) => b.port) };
    };
    switch (kind) {
      case 0:
        return node('flow.wait', { duration: oneOf(['PT30M', 'PT1H', 'P1D', 'P2D']) });
      case 1: {
        const config: Record<string, unknown> = { time: oneOf(['09:00', '10:00', '21:30', '02:30']) };
        const days = oneOf([undefined, [], ['mon', 'thu'], ['sun']]);
        if (days) config.days = days;
        return node('flow.waitUntil', config);
      }
      case 2: {
        const config: Record<string, unknown> = { event: oneOf(['e1', 'e2']), timeout: oneOf(['PT1H', 'P1D']) };
        if (pick(2) === 1) config.where = { attribute: 'v', op: 'gte', value: 1 };
        return node('flow.waitForEvent', config, ['event', 'timeout']);
      }
      case 3:
        return node(
          'flow.condition',
          {
            if: oneOf([
              { attribute: 'plan', op: 'eq', value: 'pro' },
              { event: 'e1', within: 'P1D' },
              { event: 'e2', count: { op: 'gte', value: 2 } },
              { any: [{ attribute: 'plan', op: 'exists', value: false }, { not: { event: 'start', within: 'PT1H' } }] },
            ]),
          },
          ['yes', 'no'],
        );
      case 4: {
        const b = branches('branches');
        return node('flow.split', b.config, b.ports);
      }
      case 5: {
        const b = branches('variants');
        return node('flow.abTest', { ...b.config, mode: oneOf(['fixed', 'bandit']), metric: 'click' }, b.ports);
      }
      case 6:
        return node('flow.approval', pick(2) === 1 ? { timeout: oneOf(['PT2H', 'P1D']) } : {}, [
          'approved',
          'rejected',
          'timeout',
        ]);
      case 7:
      case 8: {
        const config: Record<string, unknown> = { template: `t${id}` };
        if (ancestors.some((a) => a.type === 'ai.generateSubject') && pick(2) === 1) config.subjectFrom = 'ai';
        else if (pick(3) === 1) config.subject = 'Hello';
        return node('action.sendEmail', config);
      }
      case 9:
        return node(
          'action.updateContact',
          oneOf([{ set: { plan: 'pro' } }, { set: { plan: 'free', v: 2 } }, { unset: ['plan'] }]),
        );
      case 10:
        return node('action.webhook', { url: 'https://hooks.example.com/x', method: oneOf(['POST', 'GET']) }, [
          'next',
          'failed',
        ]);
      case 11:
        return node('ai.generateSubject', { brief: 'a spring sale', variants: 1 + pick(3) });
      default:
        return node(
          'ai.sentimentGuard',
          oneOf([{ source: 'subject' }, { source: 'body', minScore: 0.2 }, { source: 'text', text: 'We miss you' }]),
          ['pass', 'fail'],
        );
    }
  };

  const maxNodes = 12;
  let count = 0;
  const grow = (ancestors: readonly RandomNode[]): string => {
    if (count >= maxNodes || pick(4) === 0) return exitNode();
    const waiting = ancestors.filter((a) => waitingTypes.has(a.type));
    // A loop back to a waiting ancestor is valid: the loop contains a node that waits. Mostly the
    // nearest one, so that the loop's only wait is that node (the hardest case for the interpreter).
    if (waiting.length > 0 && pick(4) === 0)
      return (pick(4) === 0 ? oneOf(waiting) : (waiting[waiting.length - 1] as RandomNode)).id;
    const id = `n${count++}`;
    const { node, ports } = make(id, ancestors);
    nodes.push(node);
    for (const port of ports) {
      const to = grow([...ancestors, node]);
      edges.push(port === 'next' ? { from: id, to } : { from: id, port, to });
    }
    return id;
  };
  edges.push({ from: 'start', to: grow([nodes[0] as RandomNode]) });

  const attributes: Record<string, unknown> = { plan: oneOf(['free', 'pro']) };
  const zone = oneOf([undefined, 'America/New_York', 'Europe/Warsaw', 'Not/AZone']);
  if (zone) attributes.timezone = zone;
  return {
    definition: { schemaVersion: 1, id: 'random', settings, nodes, edges },
    contact: { id: `contact-${pick(1000)}`, attributes },
  };
}

const journeyArb = fc
  .array(fc.nat({ max: 10_000 }), { minLength: 20, maxLength: 150, size: 'large' })
  .map(buildJourney);

function prepareRandom(j: RandomJourney): PreparedJourney {
  const result = validateJourney(j.definition, registry);
  if (!result.ok) throw new Error(`generator made an invalid journey: ${JSON.stringify(result.problems)}`);
  return result.journey;
}

// ---------------------------------------------------------------------------------------------
// Random inputs: events, reviewer decisions, effect results and clock jumps.
// ---------------------------------------------------------------------------------------------

interface Action {
  kind: 'event' | 'decide' | 'result' | 'timer';
  name: number;
  n: number;
  gapMinutes: number;
}

const actionArb: fc.Arbitrary<Action> = fc.record({
  kind: fc.constantFrom('event', 'event', 'event', 'decide', 'result', 'result', 'timer'),
  name: fc.nat({ max: 11 }),
  n: fc.nat({ max: 99 }),
  gapMinutes: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 180 }), fc.integer({ min: 180, max: 4 * 24 * 60 })),
});

const startArb = fc.constantFrom(
  at('2026-03-27T18:00:00Z'),
  at('2026-10-23T18:00:00Z'),
  at('2026-03-06T12:00:00Z'),
  at('2026-10-30T12:00:00Z'),
  at('2026-06-15T10:00:00Z'),
);

const eventNames = ['start', 'start', 'e1', 'e2', 'e1', 'goal', 'other'];

const stats = (): VariantStats => ({
  a: { trials: 40, successes: 10 },
  b: { trials: 40, successes: 14 },
  c: { trials: 5, successes: 1 },
  '0': { trials: 30, successes: 3 },
  '1': { trials: 30, successes: 9 },
});

type Check = (r: AdvanceResult, now: number, allSteps: readonly Step[]) => void;

/** Feeds the actions to `advance()` as a runtime would, calling `check` after every advance. */
function drive(
  journey: PreparedJourney,
  contactIn: JourneyContact,
  start: number,
  actions: readonly Action[],
  seed: number,
  check: Check,
) {
  let state: ContactJourneyState | undefined;
  let contact = contactIn;
  let wakeAt: number | undefined;
  let now = start;
  const history: RuntimeEvent[] = [];
  const allSteps: Step[] = [];
  const apply = (input: AdvanceInput, t: number) => {
    const r = advance(journey, state, input, { now: t, contact, history, seed, stats });
    state = r.state;
    contact = r.contact;
    wakeAt = r.wakeAt;
    allSteps.push(...r.steps);
    check(r, t, allSteps);
  };
  const fireDue = (until: number) => {
    for (let k = 0; wakeAt !== undefined && wakeAt <= until; k++) {
      if (k > 1000) throw new Error('timers never settle');
      now = wakeAt;
      apply({ kind: 'timer' }, wakeAt);
    }
    now = Math.max(now, until);
  };
  const send = (name: string, properties: Record<string, unknown>) => {
    const event: RuntimeEvent = { event: name, at: now, properties };
    if (name !== 'effect.result') history.push(event);
    apply({ kind: 'event', event }, now);
  };

  for (const a of actions) {
    fireDue(now + a.gapMinutes * 60_000);
    const runs = state?.runs ?? [];
    switch (a.kind) {
      case 'timer':
        // A bare timer also retries runs held after a failure.
        if (wakeAt !== undefined) fireDue(wakeAt);
        else apply({ kind: 'timer' }, now);
        break;
      case 'event':
        send(eventNames[a.name % eventNames.length] as string, { v: a.n % 3 });
        break;
      case 'decide': {
        const waiting = runs.filter((r) => r.awaiting?.name === 'approval.decided');
        const run = waiting[a.n % Math.max(1, waiting.length)];
        const properties: Record<string, unknown> = {
          node: run?.node ?? 'nowhere',
          decision: ['approved', 'rejected', 'maybe'][a.name % 3],
        };
        if (a.n % 5 === 0) properties.content = { subjects: ['Edited subject'] };
        send('approval.decided', properties);
        break;
      }
      case 'result': {
        const waiting = runs.filter((r) => r.awaiting?.name === 'effect.result');
        const run = waiting[a.n % Math.max(1, waiting.length)];
        const ok = a.name % 4 !== 0;
        const kind = run?.pending?.kind;
        const output =
          kind === 'generateSubject'
            ? { variants: ['S1', 'S2', 'S3'] }
            : kind === 'sentiment'
              ? { scores: [((a.n % 3) - 1) * 0.6] }
              : { status: ok ? 200 : 500 };
        const properties: Record<string, unknown> = { node: run?.node ?? 'nowhere', ok, output };
        if (run) properties.run = run.id;
        if (!ok) properties.error = { code: 'boom', message: 'the effect failed' };
        send('effect.result', properties);
        break;
      }
    }
  }
}

const scenarioArb = fc.record({
  journey: journeyArb,
  actions: fc.array(actionArb, { maxLength: 30 }),
  start: startArb,
  seed: fc.nat(),
});

describe('properties of the interpreter', () => {
  it('random journeys from the generator are valid', () => {
    fc.assert(
      fc.property(journeyArb, (j) => {
        expect(validateJourney(j.definition, registry).problems).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('(2) after every advance each active run waits for a time or an event (or is held after a reported failure)', () => {
    fc.assert(
      fc.property(scenarioArb, ({ journey: j, actions, start, seed }) => {
        const journey = prepareRandom(j);
        drive(journey, j.contact, start, actions, seed, (r, now, allSteps) => {
          let earliest: number | undefined;
          for (const run of r.state.runs) {
            if (run.wakeAt !== undefined && (earliest === undefined || run.wakeAt < earliest)) earliest = run.wakeAt;
            if (run.wakeAt !== undefined || run.awaiting !== undefined) continue;
            // Not waiting: only allowed when a node failed, the failure was reported as a coded step,
            // and the run is held at that node for a retry.
            expect(run.failed, `run ${run.id} at ${run.node} neither waits nor failed`).toBeDefined();
            expect(
              allSteps.some((s) => s.runId === run.id && s.node === run.node && s.error?.code === run.failed?.code),
            ).toBe(true);
          }
          expect(r.wakeAt).toBe(earliest);
          if (r.wakeAt !== undefined) expect(r.wakeAt).toBeGreaterThan(now);
          expect(r.done).toBe(r.state.runs.length === 0);
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('(4) for valid journeys a run never visits more nodes in one advance than the journey has, and never runs away', () => {
    fc.assert(
      fc.property(scenarioArb, ({ journey: j, actions, start, seed }) => {
        const journey = prepareRandom(j);
        drive(journey, j.contact, start, actions, seed, (r) => {
          const visits = new Map<string, number>();
          for (const s of r.steps) if (s.error === undefined) visits.set(s.runId, (visits.get(s.runId) ?? 0) + 1);
          for (const n of visits.values()) expect(n).toBeLessThanOrEqual(journey.nodes.size);
          expect(r.steps.filter((s) => s.error?.code === 'runaway_loop')).toEqual([]);
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('(3) flow.split over 20 000 contacts converges to its weights', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 2, maxLength: 4 }),
        fc.nat(),
        (weights, seed) => {
          const ports = weights.map((_, k) => `p${k}`);
          const result = validateJourney(
            {
              schemaVersion: 1,
              id: 'split',
              nodes: [
                { id: 'start', type: 'trigger.manual', config: {} },
                {
                  id: 'split',
                  type: 'flow.split',
                  config: { branches: ports.map((port, k) => ({ port, weight: weights[k] })) },
                },
                { id: 'end', type: 'flow.exit', config: {} },
              ],
              edges: [{ from: 'start', to: 'split' }, ...ports.map((port) => ({ from: 'split', port, to: 'end' }))],
            },
            registry,
          );
          if (!result.ok) throw new Error(JSON.stringify(result.problems));
          const counts = new Map<string, number>();
          const contacts = 20_000;
          for (let c = 0; c < contacts; c++) {
            const r = advance(
              result.journey,
              undefined,
              { kind: 'manual' },
              { now: 0, contact: { id: `contact-${c}`, attributes: {} }, seed },
            );
            const port = r.steps[1]?.port ?? 'none';
            counts.set(port, (counts.get(port) ?? 0) + 1);
          }
          const total = weights.reduce((s, w) => s + w, 0);
          ports.forEach((port, k) => {
            expect(Math.abs((counts.get(port) ?? 0) / contacts - (weights[k] as number) / total)).toBeLessThan(0.02);
          });
          expect(counts.has('none')).toBe(false);
        },
      ),
      { numRuns: 8 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// (1) Graph ⇄ definition round trip.
// ---------------------------------------------------------------------------------------------

const coordinate = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
// Arbitraries are built once: building one (a regex one especially) inside `chain` is slow.
const graphIdArb = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
const nodeDataArb = fc.record(
  {
    type: fc.constantFrom(...builtinNodeTypes.map((t) => t.type)),
    typeVersion: fc.integer({ min: 1, max: 3 }),
    config: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    label: fc.string({ maxLength: 12 }),
  },
  { requiredKeys: ['type'] },
);
const positionArb = fc.record({ x: coordinate, y: coordinate });
const nameArb = fc.option(fc.string({ maxLength: 20 }), { nil: undefined });
const settingsArb = fc.option(fc.constantFrom<JourneySettings>({}, { timezone: 'Europe/Warsaw', reEntry: 'always' }), {
  nil: undefined,
});
const viewportArb = fc.option(
  fc.record({ x: coordinate, y: coordinate, zoom: fc.double({ min: 0.1, max: 4, noNaN: true }) }),
  {
    nil: undefined,
  },
);
const handleArb = fc.constantFrom<string | null | undefined>(null, undefined, 'next', 'yes', 'no', 'a', 'timeout');

const graphArb: fc.Arbitrary<JourneyGraph> = fc
  .uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/), { minLength: 1, maxLength: 10 })
  .chain((ids) =>
    fc.record({
      id: graphIdArb,
      name: nameArb,
      settings: settingsArb,
      viewport: viewportArb,
      nodes: fc.tuple(...ids.map((id) => fc.record({ id: fc.constant(id), position: positionArb, data: nodeDataArb }))),
      edges: fc.array(
        fc.record({ source: fc.constantFrom(...ids), target: fc.constantFrom(...ids), sourceHandle: handleArb }),
        {
          maxLength: 12,
        },
      ),
    }),
  )
  .map(({ name, settings, viewport, edges, ...rest }) => {
    const graph: JourneyGraph = {
      ...rest,
      edges: edges.map((e, k) => {
        const edge: JourneyGraph['edges'][number] = { id: `edge-${k}`, source: e.source, target: e.target };
        if (e.sourceHandle !== undefined) edge.sourceHandle = e.sourceHandle;
        return edge;
      }),
    };
    if (name !== undefined) graph.name = name;
    if (settings !== undefined) graph.settings = settings;
    if (viewport !== undefined) graph.viewport = viewport;
    return graph;
  });

describe('(1) graph ⇄ definition round trip', () => {
  it('graph → definition + layout → graph keeps nodes, configs, ports and positions', () => {
    fc.assert(
      fc.property(graphArb, (graph) => {
        const { definition, layout } = graphToDefinition(graph);
        const back = definitionToGraph(definition, layout);
        expect(back.id).toBe(graph.id);
        expect(back.name).toBe(graph.name);
        expect(back.settings).toEqual(graph.settings ?? {});
        expect(back.viewport).toEqual(graph.viewport);
        expect(back.nodes.map((n) => ({ id: n.id, position: n.position, data: n.data }))).toEqual(
          graph.nodes.map((n) => ({
            id: n.id,
            position: n.position,
            data: {
              type: n.data.type,
              typeVersion: n.data.typeVersion ?? 1,
              config: n.data.config ?? {},
              ...(n.data.label === undefined ? {} : { label: n.data.label }),
            },
          })),
        );
        expect(back.edges.map((e) => [e.source, e.sourceHandle, e.target])).toEqual(
          graph.edges.map((e) => [e.source, e.sourceHandle || 'next', e.target]),
        );
        // Splitting the rebuilt graph again gives the same definition and layout.
        expect(graphToDefinition(back)).toEqual({ definition, layout });
      }),
      { numRuns: 300 },
    );
  });

  it('definition → graph → definition is the identity, and a valid definition compiles without problems', () => {
    fc.assert(
      fc.property(
        journeyArb,
        fc.array(fc.record({ x: coordinate, y: coordinate }), { minLength: 30, maxLength: 30 }),
        (j, places) => {
          const parsed = validateJourney(j.definition, registry);
          if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
          const definition = parsed.journey.definition;
          const layout: GraphLayout = { nodes: {} };
          definition.nodes.forEach((n, k) => {
            layout.nodes[n.id] = places[k % places.length] as { x: number; y: number };
          });
          const graph = definitionToGraph(definition, layout);
          const back = graphToDefinition(graph);
          expect(back.definition).toEqual({
            ...definition,
            nodes: definition.nodes.map((n) => ({ ...n, typeVersion: n.typeVersion ?? 1 })),
          });
          expect(back.layout).toEqual(layout);
          const compiled = compileGraph(graph, registry);
          expect(compiled.problems).toEqual([]);
          expect(compiled.journey?.nodes.size).toBe(definition.nodes.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('compileGraph reports edge problems only with ids of the graph’s own edges', () => {
    fc.assert(
      fc.property(graphArb, (graph) => {
        const result = compileGraph(graph, registry);
        const ids = new Set(graph.edges.map((e) => e.id));
        for (const p of result.problems) if (p.edgeId !== undefined) expect(ids.has(p.edgeId)).toBe(true);
        expect(result.journey === undefined).toBe(result.problems.length > 0);
      }),
      { numRuns: 300 },
    );
  });
});
