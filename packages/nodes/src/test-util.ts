/**
 * Helpers shared by the unit tests of `@waymark/nodes`: building small journeys, driving one contact
 * through `advance()` on a hand-held clock, and checking one node's config. Test-only; not exported
 * from `index.ts`.
 */
import { type PreparedJourney, type ValidationResult, validateJourney } from './compiler/validate.ts';
import { defaultRegistry } from './default-registry.ts';
import { advance } from './interpreter/advance.ts';
import type {
  AdvanceContext,
  AdvanceError,
  AdvanceInput,
  AdvanceResult,
  ContactJourneyState,
  EffectRequest,
  Step,
} from './interpreter/state.ts';
import type { JourneyContact, JourneyDefinitionInput, JourneySettings } from './schema/definition.ts';
import { portsOf } from './sdk/ports.ts';
import type { RuntimeEvent, VariantStats } from './sdk/types.ts';

/** One registry of the built-in node types for all tests (registries are not mutated by tests). */
export const registry = defaultRegistry();

/** Epoch milliseconds of an ISO instant; throws on a typo so a test cannot silently use NaN. */
export function at(instant: string): number {
  const t = Date.parse(instant);
  if (!Number.isFinite(t)) throw new Error(`bad instant in test: ${instant}`);
  return t;
}

/** The ISO form of epoch milliseconds (undefined stays undefined, to compare optional wake times). */
export function iso(t: number | undefined): string | undefined {
  return t === undefined ? undefined : new Date(t).toISOString();
}

/** A node as tests write it. */
export interface NodeSpec {
  id: string;
  type: string;
  config?: Record<string, unknown>;
  typeVersion?: number;
}

/** Parses `a -> b` or `a:port -> b`. */
function parseEdge(text: string): { from: string; port?: string; to: string } {
  const [left, right] = text.split('->').map((s) => s.trim());
  if (!left || !right) throw new Error(`bad edge in test: ${text}`);
  const [from, port] = left.split(':');
  if (!from) throw new Error(`bad edge in test: ${text}`);
  return port === undefined ? { from, to: right } : { from, port, to: right };
}

/** A journey definition from nodes and `from[:port] -> to` edges. */
export function definition(nodes: NodeSpec[], edges: string[], settings: JourneySettings = {}): JourneyDefinitionInput {
  return {
    schemaVersion: 1,
    id: 'test-journey',
    settings,
    nodes: nodes.map((n) => ({ ...n, config: n.config ?? {} })),
    edges: edges.map(parseEdge),
  };
}

/** Validates a journey that the test expects to be valid; fails loudly with the problems otherwise. */
export function prepare(nodes: NodeSpec[], edges: string[], settings: JourneySettings = {}): PreparedJourney {
  const result = validateJourney(definition(nodes, edges, settings), registry);
  if (!result.ok) throw new Error(`test journey is invalid: ${JSON.stringify(result.problems, null, 2)}`);
  return result.journey;
}

/**
 * Validates a journey holding one node of `type` with `config`, wired so that nothing but the config
 * can be wrong: a manual trigger before it (unless it is a trigger) and an exit after each port.
 * The node under test has the id `n`.
 */
export function checkNodeConfig(type: string, config: unknown): ValidationResult {
  const nodeType = registry.get(type);
  if (!nodeType) throw new Error(`no node type ${type}`);
  const nodes: unknown[] = [];
  const edges: { from: string; port?: string; to: string }[] = [];
  if (nodeType.category !== 'trigger') {
    nodes.push({ id: 'start', type: 'trigger.manual', config: {} });
    edges.push({ from: 'start', to: 'n' });
  }
  nodes.push({ id: 'n', type, config });
  portsOf(nodeType.ports, config).forEach((port, i) => {
    nodes.push({ id: `out${i}`, type: 'flow.exit', config: {} });
    edges.push({ from: 'n', port: port.id, to: `out${i}` });
  });
  return validateJourney({ schemaVersion: 1, id: 'config-check', nodes, edges }, registry);
}

/** A step as a short string: `node`, `node:port`, `node!exit`, `node#errorCode`, `node~skipped`. */
export function describeStep(step: Step): string {
  let s = step.node;
  if (step.port !== undefined) s += `:${step.port}`;
  if (step.skipped !== undefined) s += `~${step.skipped}`;
  if (step.error !== undefined) s += `#${step.error.code}`;
  if (step.exit !== undefined) s += `!${step.exit}`;
  return s;
}

/** The steps of a result (or a list of steps) as short strings. */
export function trail(steps: readonly Step[] | AdvanceResult): string[] {
  return ('steps' in steps ? steps.steps : steps).map(describeStep);
}

/** Options of a {@link Runner}. */
export interface RunnerOptions {
  seed?: number;
  stats?: (nodeId: string) => VariantStats;
  maxSteps?: number;
}

/**
 * Drives one contact through a journey with `advance()`, as the runtime would: it keeps the state,
 * the updated contact and the event history between calls, and records every step, effect and error.
 */
export class Runner {
  state: ContactJourneyState | undefined;
  contact: JourneyContact;
  readonly history: RuntimeEvent[] = [];
  readonly steps: Step[] = [];
  readonly effects: EffectRequest[] = [];
  readonly errors: AdvanceError[] = [];
  last: AdvanceResult | undefined;

  constructor(
    readonly journey: PreparedJourney,
    contact: JourneyContact | Record<string, unknown> = {},
    readonly options: RunnerOptions = {},
  ) {
    this.contact =
      'id' in contact && 'attributes' in contact
        ? (contact as JourneyContact)
        : { id: 'c1', attributes: contact as Record<string, unknown> };
  }

  /** The earliest timer of the contact's runs after the last advance. */
  get wakeAt(): number | undefined {
    return this.last?.wakeAt;
  }

  /** The contact's active runs. */
  get runs() {
    return this.state?.runs ?? [];
  }

  apply(input: AdvanceInput, now: number): AdvanceResult {
    const ctx: AdvanceContext = { now, contact: this.contact, history: this.history };
    if (this.options.seed !== undefined) ctx.seed = this.options.seed;
    if (this.options.stats !== undefined) ctx.stats = this.options.stats;
    if (this.options.maxSteps !== undefined) ctx.maxSteps = this.options.maxSteps;
    const r = advance(this.journey, this.state, input, ctx);
    this.state = r.state;
    this.contact = r.contact;
    this.steps.push(...r.steps);
    this.effects.push(...r.effects);
    this.errors.push(...r.errors);
    this.last = r;
    return r;
  }

  /** Delivers an event at `when` (it joins the history unless it is an effect result). */
  event(name: string, when: string | number, properties: Record<string, unknown> = {}): AdvanceResult {
    const t = typeof when === 'number' ? when : at(when);
    const event: RuntimeEvent = { event: name, at: t, properties };
    if (name !== 'effect.result') this.history.push(event);
    return this.apply({ kind: 'event', event }, t);
  }

  /** A reviewer's decision at an approval node. */
  decide(node: string, decision: unknown, when: string | number, extra: Record<string, unknown> = {}): AdvanceResult {
    return this.event('approval.decided', when, { node, decision, ...extra });
  }

  /** The runtime reporting the outcome of an awaited effect of `node`. */
  result(node: string, when: string | number, outcome: Record<string, unknown>): AdvanceResult {
    return this.event('effect.result', when, { node, ...outcome });
  }

  timer(when: string | number): AdvanceResult {
    return this.apply({ kind: 'timer' }, typeof when === 'number' ? when : at(when));
  }

  manual(when: string | number, node?: string): AdvanceResult {
    return this.apply(
      node === undefined ? { kind: 'manual' } : { kind: 'manual', node },
      typeof when === 'number' ? when : at(when),
    );
  }

  date(when: string | number, node: string): AdvanceResult {
    return this.apply({ kind: 'date', node }, typeof when === 'number' ? when : at(when));
  }

  /** Fires every timer that falls due up to `until`, each at its own wake time. */
  runUntil(until: string | number): AdvanceResult[] {
    const limit = typeof until === 'number' ? until : at(until);
    const results: AdvanceResult[] = [];
    for (let i = 0; i < 10_000; i++) {
      const wake = this.wakeAt;
      if (wake === undefined || wake > limit) return results;
      results.push(this.timer(wake));
    }
    throw new Error('runUntil: more than 10 000 timers');
  }
}
