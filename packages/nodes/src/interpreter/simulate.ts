import type { PreparedJourney } from '../compiler/validate.ts';
import type { JourneyContact } from '../schema/definition.ts';
import { effectResultEvent } from '../sdk/effects.ts';
import type { Effect, RuntimeEvent, SkipReason } from '../sdk/types.ts';
import { advance } from './advance.ts';
import { contactTimeZone } from './context.ts';
import type { AdvanceInput, AdvanceResult, ContactJourneyState, Step } from './state.ts';

/** One line of simulator output (JOURNEY-FORMAT.md), in print order of its keys. */
export interface SimulationLine {
  at: string;
  node: string;
  type: string;
  port?: string;
  effect?: Effect;
  skipped?: SkipReason;
  exit?: 'completed' | 'goal';
  error?: { code: string; message: string };
}

/** A line for an input the interpreter rejected, e.g. a decision for a node no run waits at. */
export interface SimulationErrorLine {
  at: string;
  event: string;
  error: { code: string; message: string };
}

/** The outcome of an effect the simulator stands in for, or undefined to wait for an `effect.result` event. */
export type EffectResolver = (effect: Effect, node: string) => { ok: boolean; output?: unknown } | undefined;

/** Options of a simulation. */
export interface SimulationOptions {
  /** Where the virtual clock stops (epoch ms); default 90 days after the last event. */
  until?: number;
  /** Where the virtual clock starts when it should start before the first event (epoch ms). */
  from?: number;
  seed?: number;
  /** Stands in for effects that report back (webhooks, AI); default: webhooks succeed, the rest wait for events. */
  resolveEffect?: EffectResolver;
  /** Safety bound on advances. */
  maxAdvances?: number;
}

/** The name of the simulator event that enrols a contact through `trigger.manual`. */
export const manualEnrolEvent = 'journey.enrol';

const ninetyDays = 90 * 24 * 3600 * 1000;

/** The default resolver: webhooks succeed; AI effects wait for an `effect.result` event in the input. */
export const defaultEffectResolver: EffectResolver = (effect) => (effect.kind === 'webhook' ? { ok: true } : undefined);

function toLine(step: Step): SimulationLine {
  const line: SimulationLine = { at: new Date(step.at).toISOString(), node: step.node, type: step.type };
  if (step.port !== undefined) line.port = step.port;
  if (step.effect !== undefined) line.effect = step.effect;
  if (step.skipped !== undefined) line.skipped = step.skipped;
  if (step.exit !== undefined) line.exit = step.exit;
  if (step.error !== undefined) line.error = step.error;
  return line;
}

/**
 * Runs one contact through a journey on a virtual clock with the runtime's interpreter and returns
 * one line per node left, in time order.
 */
export function simulate(
  journey: PreparedJourney,
  contactIn: JourneyContact,
  eventsIn: readonly RuntimeEvent[],
  options: SimulationOptions = {},
): (SimulationLine | SimulationErrorLine)[] {
  const events = eventsIn.slice().sort((a, b) => a.at - b.at);
  const resolve = options.resolveEffect ?? defaultEffectResolver;
  const lastEvent = events.length > 0 ? (events[events.length - 1] as RuntimeEvent).at : options.from;
  const start = Math.min(options.from ?? Number.POSITIVE_INFINITY, events[0]?.at ?? Number.POSITIVE_INFINITY);
  if (!Number.isFinite(start)) return [];
  const until = options.until ?? (lastEvent as number) + ninetyDays;
  const zone = contactTimeZone(contactIn, journey.definition.settings);
  const dateTriggers = journey.triggers.filter((t) => t.nodeType.nextEnrolment);

  let contact = contactIn;
  let state: ContactJourneyState | undefined;
  const history: RuntimeEvent[] = [];
  const lines: (SimulationLine | SimulationErrorLine)[] = [];
  const queue: { at: number; event: RuntimeEvent }[] = events.map((event) => ({ at: event.at, event }));
  let wakeAt: number | undefined;
  const nextDate = new Map<string, number | null>();
  for (const t of dateTriggers)
    nextDate.set(t.node.id, t.nodeType.nextEnrolment?.(t.config, contact, start - 1, zone) ?? null);

  const apply = (input: AdvanceInput, now: number, event?: string) => {
    const r: AdvanceResult = advance(journey, state, input, { now, contact, history, seed: options.seed ?? 0 });
    state = r.state;
    contact = r.contact;
    wakeAt = r.wakeAt;
    for (const step of r.steps) lines.push(toLine(step));
    for (const error of r.errors)
      lines.push({
        at: new Date(now).toISOString(),
        event: event ?? input.kind,
        error: { code: error.code, message: error.message },
      });
    for (const e of r.effects) {
      const run = r.state.runs.find((x) => x.id === e.runId);
      if (run?.node !== e.node || run.awaiting?.name !== effectResultEvent) continue;
      const outcome = resolve(e.effect, e.node);
      if (outcome)
        queue.unshift({
          at: now,
          event: { event: effectResultEvent, at: now, properties: { node: e.node, run: e.runId, ...outcome } },
        });
    }
  };

  for (let i = 0; i < (options.maxAdvances ?? 100_000); i++) {
    let nextDateAt = Number.POSITIVE_INFINITY;
    let nextDateNode: string | undefined;
    for (const [node, at] of nextDate)
      if (at !== null && at < nextDateAt) {
        nextDateAt = at;
        nextDateNode = node;
      }
    const nextEvent = queue[0]?.at ?? Number.POSITIVE_INFINITY;
    const nextTimer = wakeAt ?? Number.POSITIVE_INFINITY;
    const now = Math.min(nextEvent, nextTimer, nextDateAt);
    if (!Number.isFinite(now) || now > until) break;
    if (nextTimer === now) apply({ kind: 'timer' }, now);
    else if (nextDateAt === now && nextDateNode !== undefined) {
      const t = journey.nodes.get(nextDateNode);
      nextDate.set(nextDateNode, t?.nodeType.nextEnrolment?.(t.config, contact, now, zone) ?? null);
      apply({ kind: 'date', node: nextDateNode }, now);
    } else {
      const { event } = queue.shift() as { at: number; event: RuntimeEvent };
      if (event.event !== effectResultEvent) history.push(event);
      if (event.event === manualEnrolEvent) {
        const node = event.properties.node;
        apply(typeof node === 'string' ? { kind: 'manual', node } : { kind: 'manual' }, now);
      } else apply({ kind: 'event', event }, now, event.event);
    }
  }
  return lines;
}
