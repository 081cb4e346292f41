import type { PreparedJourney, PreparedNode } from '../compiler/validate.ts';
import { evaluateCondition } from '../conditions/evaluate.ts';
import { hashString, seededRandom } from '../random/random.ts';
import type { Condition } from '../schema/condition.ts';
import type { JourneyContact, JourneyNode, JourneySettings } from '../schema/definition.ts';
import type { Effect, NodeContext, RuntimeEvent, VariantStats, Wake } from '../sdk/types.ts';
import { isValidTimeZone } from '../time/zone.ts';
import type { RunState } from './state.ts';

const noStats: VariantStats = Object.freeze({});
const zoneValidity = new Map<string, boolean>();

/** The contact's time zone: its `timezone` attribute when valid, else the journey's, else UTC. */
export function contactTimeZone(contact: JourneyContact, settings: JourneySettings): string {
  const own = contact.attributes.timezone;
  if (typeof own === 'string' && own !== '') {
    let valid = zoneValidity.get(own);
    if (valid === undefined) {
      valid = isValidTimeZone(own);
      if (zoneValidity.size > 1000) zoneValidity.clear();
      zoneValidity.set(own, valid);
    }
    if (valid) return own;
  }
  return settings.timezone ?? 'UTC';
}

const downstreamCache = new WeakMap<PreparedJourney, Map<string, JourneyNode | null>>();

/** The first node of `type` reachable from `from` (through `port` when given), breadth first, cached per journey. */
export function findDownstream(
  journey: PreparedJourney,
  from: string,
  type: string,
  port?: string,
): JourneyNode | undefined {
  let cache = downstreamCache.get(journey);
  if (!cache) {
    cache = new Map();
    downstreamCache.set(journey, cache);
  }
  const key = `${from}\u0000${type}\u0000${port ?? ''}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const seen = new Set([from]);
  const out = journey.nodes.get(from)?.out;
  const first = port === undefined ? out?.values() : out?.has(port) ? [out.get(port) as string] : [];
  const queue = [...(first ?? [])];
  let found: JourneyNode | null = null;
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const n = journey.nodes.get(id);
    if (!n) continue;
    if (n.node.type === type) {
      found = n.node;
      break;
    }
    queue.push(...n.out.values());
  }
  cache.set(key, found);
  return found ?? undefined;
}

/** The `NodeContext` handed to one execution of one node. */
export class ExecutionContext implements NodeContext {
  readonly node: JourneyNode;
  private rng: (() => number) | undefined;

  constructor(
    readonly journey: PreparedJourney,
    prepared: PreparedNode,
    readonly run: RunState,
    readonly wake: Wake,
    readonly now: number,
    readonly contact: JourneyContact,
    readonly timezone: string,
    readonly history: readonly RuntimeEvent[],
    readonly emailsSent: readonly number[],
    readonly statsOf: ((nodeId: string) => VariantStats) | undefined,
    readonly seed: number,
  ) {
    this.node = prepared.node;
  }

  get settings(): JourneySettings {
    return this.journey.definition.settings;
  }

  get trigger(): RuntimeEvent | undefined {
    return this.run.trigger;
  }

  get pending(): Effect | undefined {
    return this.run.pending;
  }

  /** Created on first use: most nodes never draw a random number. */
  get random(): () => number {
    if (!this.rng)
      this.rng = seededRandom(hashString(`${this.contact.id}\u0000${this.node.id}`, this.seed >>> 0 || 0x811c9dc5));
    return this.rng;
  }

  output(type: string): unknown {
    const entries = Object.values(this.run.outputs);
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i] as { type: string; value: unknown };
      if (e.type === type) return e.value;
    }
    return undefined;
  }

  stats(): VariantStats {
    return this.statsOf?.(this.node.id) ?? noStats;
  }

  evaluate(condition: Condition): boolean {
    return evaluateCondition(condition, {
      attributes: this.contact.attributes,
      history: this.history,
      now: this.now,
      zone: this.timezone,
    });
  }

  downstream(type: string, port?: string): JourneyNode | undefined {
    return findDownstream(this.journey, this.node.id, type, port);
  }
}
