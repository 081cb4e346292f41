/**
 * `@waymark/nodes/testing`: run one node, check one config, perform one effect, in a unit test.
 * Node executions go through the real validator and interpreter, so what passes here behaves the
 * same way in the runtime and in the editor's simulator.
 */
import { z } from 'zod';
import { type PreparedJourney, validateJourney } from '../compiler/validate.ts';
import { defaultRegistry } from '../default-registry.ts';
import { type Problem, WaymarkError } from '../errors.ts';
import { advance } from '../interpreter/advance.ts';
import type { AdvanceResult, ContactJourneyState, RunState } from '../interpreter/state.ts';
import type { JourneyContact, JourneySettings } from '../schema/definition.ts';
import {
  type AnyEffectExecutor,
  type EffectContact,
  type EffectExecutorContext,
  type EffectResult,
  performEffect,
} from '../sdk/define-effect.ts';
import { effectResultEvent } from '../sdk/effects.ts';
import { portsOf } from '../sdk/ports.ts';
import type { NodeRegistry } from '../sdk/registry.ts';
import type { AnyNodeType, Effect, RuntimeEvent, WaitSpec } from '../sdk/types.ts';

/** The instant every test runs at unless it says otherwise: 2026-03-02T09:00:00Z, a Monday. */
export const defaultTestNow = Date.UTC(2026, 2, 2, 9, 0, 0);

/** An event as a test writes it: the name, and optionally properties and a time. */
export interface TestEvent {
  event: string;
  properties?: Record<string, unknown>;
  /** Epoch milliseconds or an ISO instant; defaults to `now`. */
  at?: number | string;
}

/** The outcome of an awaited effect, as the runtime would report it. */
export interface TestOutcome {
  ok: boolean;
  output?: unknown;
  error?: { code: string; message: string };
  /** When the outcome arrives (epoch ms or ISO); defaults to `now`. */
  at?: number | string;
}

/** What {@link runNode} runs the node with. Everything is optional but the node type itself. */
export interface RunNodeOptions {
  /** The node's config as a journey would hold it (validated against the node's schema). */
  config?: Record<string, unknown>;
  /** The contact; `id` defaults to `contact-1`. The contact id seeds `ctx.random`. */
  contact?: { id?: string; attributes?: Record<string, unknown>; suppressed?: boolean };
  /** The event that started the run (`ctx.trigger`, and the last entry of `ctx.history`). */
  event?: TestEvent;
  /** Earlier events of the contact, oldest first. */
  history?: TestEvent[];
  /** The moment of execution (epoch ms or ISO); defaults to {@link defaultTestNow}. */
  now?: number | string;
  /** Delivers this outcome to a node that waits for the result of its effect, and runs it again. */
  outcome?: TestOutcome;
  /** Journey settings (time zone, quiet hours, frequency cap). */
  settings?: JourneySettings;
  /** The node's id in the journey; it seeds `ctx.random` and appears in effect keys. Default `node`. */
  nodeId?: string;
  /** Other node types to register beside it (other versions of its type, nodes it looks downstream for). */
  alongside?: AnyNodeType[];
}

/** What one node did. */
export interface NodeRun {
  /** The port the contact left through; undefined when it waits, failed or ended the run. */
  port: string | undefined;
  /** The effects the node asked for, in order (an awaited effect first). */
  effects: Effect[];
  /** What the node waits for when it did not leave. */
  wait: WaitSpec | undefined;
  /**
   * The coded error when the node threw (`node_failed`, or the code of a `WaymarkError`), with the
   * attempt and, when the failure was temporary and attempts remain, when it would be tried again.
   */
  error: { code: string; message: string; attempt?: number; retryAt?: number } | undefined;
  /** True when the node ended the run (`{ exit: 'completed' }`). */
  exited: boolean;
  /** False when the node is a trigger that did not enrol the contact. */
  ran: boolean;
  /** The node's `output`, if it left with one. */
  output: unknown;
  /** The contact with the node's attribute changes applied. */
  contact: JourneyContact;
  /** The idempotency keys of the effects, parallel to `effects`. */
  keys: string[];
}

const portNodeType = 'testing.port';
/** Where each port of the node under test leads: a node that holds the run so its port and output can be read. */
const portNode: AnyNodeType = Object.freeze({
  type: portNodeType,
  version: 1,
  category: 'flow',
  title: 'Port reached (testing)',
  description: 'Holds the run after the node under test.',
  icon: 'flag',
  config: z.object({ port: z.string() }),
  ports: [],
  waits: true,
  execute: () => ({ wait: { event: { name: 'testing.never' } } }),
});

const time = (t: number | string | undefined, fallback: number): number => {
  if (t === undefined) return fallback;
  const ms = typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) throw new WaymarkError('invalid_input', `not an instant: ${String(t)}`);
  return ms;
};

const registries = new WeakMap<AnyNodeType, NodeRegistry>();

/** The built-in registry plus the node type under test (and its companions), made once per node type. */
function registryFor(nodeType: AnyNodeType, alongside: readonly AnyNodeType[]): NodeRegistry {
  const cached = alongside.length === 0 ? registries.get(nodeType) : undefined;
  if (cached) return cached;
  const registry = defaultRegistry().register([portNode], 'testing');
  const own = [nodeType, ...alongside].filter(
    (t, i, all) => all.indexOf(t) === i && registry.get(t.type, t.version) !== t,
  );
  registry.register(own, 'package under test');
  if (alongside.length === 0) registries.set(nodeType, registry);
  return registry;
}

function journeyAround(nodeType: AnyNodeType, options: RunNodeOptions, nodeId: string) {
  const config = options.config ?? {};
  const nodes: { id: string; type: string; typeVersion?: number; config: Record<string, unknown> }[] = [];
  const edges: { from: string; port?: string; to: string }[] = [];
  if (nodeType.category !== 'trigger') {
    nodes.push(
      options.event
        ? { id: 'trigger', type: 'trigger.event', config: { event: options.event.event } }
        : { id: 'trigger', type: 'trigger.manual', config: {} },
    );
    edges.push({ from: 'trigger', to: nodeId });
  }
  nodes.push({ id: nodeId, type: nodeType.type, typeVersion: nodeType.version, config });
  portsOf(nodeType.ports, config).forEach((port, i) => {
    nodes.push({ id: `port${i}`, type: portNodeType, config: { port: port.id } });
    edges.push({ from: nodeId, port: port.id, to: `port${i}` });
  });
  return { schemaVersion: 1, id: 'node-test', settings: options.settings ?? {}, nodes, edges };
}

function problemsText(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.path && p.path.length > 0 ? `${p.path.join('.')}: ` : ''}${p.message}`).join('; ');
}

/**
 * Runs one node the way the runtime would: builds a tiny journey around it (a trigger before it, a
 * holding node after each port), validates it, and drives one contact through it with `advance()`.
 * With `outcome`, a node that awaits its effect is woken with that outcome and run again. Throws a
 * `WaymarkError` (`invalid_config`) when the config does not validate; use {@link checkConfig} to
 * test invalid configs.
 *
 * @example
 * import { runNode } from '@waymark/nodes/testing';
 * import { expect, it } from 'vitest';
 * import { slackNotify } from './slack-notify.ts';
 *
 * it('asks for a Slack message and follows the outcome', () => {
 *   const sent = runNode(slackNotify, { config: { channel: '#sales', text: 'New lead' } });
 *   expect(sent.wait?.event?.name).toBe('effect.result');
 *   expect(sent.effects).toEqual([{ kind: 'acme.slack', channel: '#sales', text: 'New lead' }]);
 *   const failed = runNode(slackNotify, { config: { channel: '#sales', text: 'x' }, outcome: { ok: false } });
 *   expect(failed.port).toBe('failed');
 * });
 */
export function runNode(nodeType: AnyNodeType, options: RunNodeOptions = {}): NodeRun {
  const nodeId = options.nodeId ?? 'node';
  const registry = registryFor(nodeType, options.alongside ?? []);
  const validated = validateJourney(journeyAround(nodeType, options, nodeId), registry);
  if (!validated.ok) {
    const own = validated.problems.filter((p) => p.nodeId === nodeId || p.nodeId === undefined);
    throw new WaymarkError(
      'invalid_config',
      `${nodeType.type}@${nodeType.version}: ${problemsText(own.length > 0 ? own : validated.problems)}`,
      { details: validated.problems },
    );
  }
  const journey = validated.journey;
  const now = time(options.now, defaultTestNow);
  let contact: JourneyContact = {
    id: options.contact?.id ?? 'contact-1',
    attributes: options.contact?.attributes ?? {},
    ...(options.contact?.suppressed === undefined ? {} : { suppressed: options.contact.suppressed }),
  };
  const history: RuntimeEvent[] = (options.history ?? []).map((e) => ({
    event: e.event,
    at: time(e.at, now),
    properties: e.properties ?? {},
  }));
  const results: AdvanceResult[] = [];
  const step = (state: ContactJourneyState | undefined, input: Parameters<typeof advance>[2], at: number) => {
    const r = advance(journey, state, input, { now: at, contact, history });
    contact = r.contact;
    results.push(r);
    return r;
  };

  let r: AdvanceResult;
  if (options.event) {
    const event: RuntimeEvent = {
      event: options.event.event,
      at: time(options.event.at, now),
      properties: options.event.properties ?? {},
    };
    history.push(event);
    r = step(undefined, { kind: 'event', event }, now);
  } else if (nodeType.category === 'trigger') {
    r = step(undefined, { kind: 'manual', node: nodeId }, now);
  } else {
    r = step(undefined, { kind: 'manual' }, now);
  }
  if (r.state.entries === 0) return notRun(contact);

  const first = r.state.runs[0];
  const failedHere = r.steps.some((s) => s.node === nodeId && s.error !== undefined);
  if (options.outcome && !failedHere) {
    const run = first;
    if (!run || run.node !== nodeId || run.awaiting?.name !== effectResultEvent)
      throw new WaymarkError(
        'invalid_input',
        `${nodeType.type}: an outcome was given, but the node did not wait for the result of an effect`,
      );
    const { at, ...outcome } = options.outcome;
    const event: RuntimeEvent = {
      event: effectResultEvent,
      at: time(at, now),
      properties: { node: nodeId, run: run.id, ...outcome },
    };
    r = step(r.state, { kind: 'event', event }, event.at);
  }
  return summarise(journey, results, nodeId, contact);
}

function notRun(contact: JourneyContact): NodeRun {
  return {
    port: undefined,
    effects: [],
    wait: undefined,
    error: undefined,
    exited: false,
    ran: false,
    output: undefined,
    contact,
    keys: [],
  };
}

function summarise(
  journey: PreparedJourney,
  results: readonly AdvanceResult[],
  nodeId: string,
  contact: JourneyContact,
): NodeRun {
  const last = results[results.length - 1] as AdvanceResult;
  const requests = results.flatMap((r) => r.effects).filter((e) => e.node === nodeId);
  const steps = results.flatMap((r) => r.steps).filter((s) => s.node === nodeId);
  const lastStep = steps[steps.length - 1];
  const run: RunState | undefined = last.state.runs[0];
  const held = run && run.node !== nodeId ? run : undefined;
  const heldConfig = held ? (journey.nodes.get(held.node)?.config as { port?: string } | undefined) : undefined;
  const waiting = run !== undefined && run.node === nodeId && !run.failed;
  return {
    port: heldConfig?.port,
    effects: requests.map((e) => e.effect),
    wait: waiting
      ? {
          ...(run.wakeAt === undefined ? {} : { until: run.wakeAt }),
          ...(run.awaiting === undefined ? {} : { event: run.awaiting }),
        }
      : undefined,
    error: lastStep?.error,
    exited: lastStep?.exit !== undefined && lastStep.error === undefined,
    ran: true,
    output: held?.outputs[nodeId]?.value,
    contact,
    keys: requests.map((e) => e.key),
  };
}

/**
 * Checks a config against a node type as the validator does, returning every problem with its
 * config path (`[]` when valid). For tables of valid and invalid configs.
 *
 * @example
 * expect(checkConfig(slackNotify, { channel: '' })).toContainEqual(expect.objectContaining({ path: ['channel'] }));
 */
export function checkConfig(nodeType: AnyNodeType, config: Record<string, unknown>): Problem[] {
  const registry = registryFor(nodeType, []);
  const result = validateJourney(journeyAround(nodeType, { config }, 'node'), registry);
  return result.problems.filter((p) => p.code === 'invalid_config' || p.code === 'invalid_weights');
}

/** What {@link runEffect} performs the effect with. */
export interface RunEffectOptions {
  /** Workspace secrets by name; only those the executor declares reach it. */
  secrets?: Record<string, string>;
  /** The `fetch` the executor gets; by default one that fails, since unit tests have no network. */
  fetch?: typeof globalThis.fetch;
  /** The contact; defaults to `contact-1` without email or attributes. */
  contact?: Partial<EffectContact>;
  /** The idempotency key; default `run-1:node:0`. */
  key?: string;
  /** An abort signal, to test how the executor reacts to its time limit. */
  signal?: AbortSignal;
  workspaceId?: string;
}

const noNetwork: typeof globalThis.fetch = async (input) => {
  throw new Error(`runEffect: no fetch was given, so ${String(input)} cannot be reached; pass options.fetch`);
};

/**
 * Performs one custom effect with its executor as the runtime's effects worker would (secrets
 * checked and narrowed, effect validated, throws turned into `effect_failed`), with a `fetch` the
 * test supplies. Resolves to the `effect.result` the waiting node would receive; never rejects.
 *
 * @example
 * const calls: Request[] = [];
 * const result = await runEffect(slackExecutor, { kind: 'acme.slack', channel: '#sales', text: 'Hi' }, {
 *   secrets: { slackWebhookUrl: 'https://hooks.slack.test/T1' },
 *   fetch: async (input, init) => { calls.push(new Request(input, init)); return new Response('ok'); },
 * });
 * expect(result).toEqual({ ok: true, output: { status: 200 } });
 */
export function runEffect(
  executor: AnyEffectExecutor,
  effect: unknown,
  options: RunEffectOptions = {},
): Promise<EffectResult> {
  const ctx: EffectExecutorContext = {
    secrets: options.secrets ?? {},
    fetch: options.fetch ?? noNetwork,
    signal: options.signal ?? new AbortController().signal,
    key: options.key ?? 'run-1:node:0',
    contact: {
      id: options.contact?.id ?? 'contact-1',
      email: options.contact?.email ?? null,
      attributes: options.contact?.attributes ?? {},
    },
    workspaceId: options.workspaceId ?? 'test-workspace',
  };
  return performEffect(executor, effect, ctx);
}

export type { EffectResult } from '../sdk/define-effect.ts';
