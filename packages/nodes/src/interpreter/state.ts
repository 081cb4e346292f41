import type { Condition } from '../schema/condition.ts';
import type { JourneyContact } from '../schema/definition.ts';
import type { Effect, RuntimeEvent, SkipReason, VariantStats } from '../sdk/types.ts';

/** One contact's pass through a journey, as stored between steps. Plain JSON. */
export interface RunState {
  id: string;
  /** The node the run is at. */
  node: string;
  startedAt: number;
  /** When the run arrived at `node`. */
  enteredAt: number;
  /** Number of node visits so far; part of every effect's idempotency key. */
  seq: number;
  /** Wake the run by timer at this instant. */
  wakeAt?: number;
  /** Wake the run when this event arrives. */
  awaiting?: { name: string; where?: Condition; forThisNode?: boolean };
  /** The effect the node produced when it began waiting (reported when it leaves). */
  pending?: Effect;
  /** Outputs of nodes in this run, keyed by node id, in the order they were produced. */
  outputs: Record<string, { type: string; value: unknown }>;
  /** The event that started the run. */
  trigger?: RuntimeEvent;
  /**
   * Set when the node failed temporarily; the run stays at the node until it is tried again at
   * `retryAt` (states written before retry policies have no `retryAt`: the runtime picks the time).
   */
  failed?: { code: string; message: string; at: number; attempts: number; retryAt?: number };
}

/** Everything one journey keeps about one contact: active runs and what rules across runs need. */
export interface ContactJourneyState {
  runs: RunState[];
  /** How many times the contact has entered the journey. */
  entries: number;
  lastExitAt?: number;
  /** Times of emails sent within the frequency-cap window, oldest first. */
  emailsSent: number[];
}

/** What happened to advance a contact: an event, the clock reaching a wake time, or an enrolment. */
export type AdvanceInput =
  | { kind: 'event'; event: RuntimeEvent }
  | { kind: 'timer' }
  | { kind: 'manual'; node?: string }
  | { kind: 'date'; node: string };

/** What the interpreter needs besides the state: the time, the contact and aggregate data. */
export interface AdvanceContext {
  /** The moment of this advance, epoch milliseconds. */
  now: number;
  contact: JourneyContact;
  /** The contact's recent events (including the one being processed), oldest first. */
  history?: readonly RuntimeEvent[];
  /** Per-port results of an experiment node across all contacts. */
  stats?: (nodeId: string) => VariantStats;
  /** Seed for reproducible randomness (splits, bandits). */
  seed?: number;
  /** Makes the id of a new run; defaults to `<contact id>:<entry number>`. */
  newRunId?: (entry: number) => string;
  /** Most node visits one advance may make for one run before it is stopped as a runaway loop. */
  maxSteps?: number;
}

/** One node a run left (or failed at), in the shape the simulator prints. */
export interface Step {
  at: number;
  runId: string;
  node: string;
  type: string;
  port?: string;
  effect?: Effect;
  skipped?: SkipReason;
  exit?: 'completed' | 'goal';
  /**
   * Why the node failed. `attempt` counts the tries of this step (set when the failure held or ended
   * the run); with `retryAt` the step is tried again then, without it the run ended here.
   */
  error?: { code: string; message: string; attempt?: number; retryAt?: number };
}

/** An effect for the runtime to perform, with an idempotency key unique per run, node and visit. */
export interface EffectRequest {
  runId: string;
  node: string;
  key: string;
  effect: Effect;
}

/** A coded problem with the input itself (e.g. a decision for a node that is not waiting). */
export interface AdvanceError {
  code: 'event_not_awaited' | 'node_not_found' | 'invalid_input' | 'node_failed' | 'node_timeout';
  message: string;
  runId?: string;
  nodeId?: string;
}

/** The outcome of one advance: the new state and everything that happened. */
export interface AdvanceResult {
  state: ContactJourneyState;
  steps: Step[];
  effects: EffectRequest[];
  errors: AdvanceError[];
  /** The contact with attribute changes from `updateContact` effects applied. */
  contact: JourneyContact;
  /** The earliest timer among active runs. */
  wakeAt: number | undefined;
  /** True when no run is active. */
  done: boolean;
}

/** A contact's state before it ever entered the journey. */
export function emptyState(): ContactJourneyState {
  return { runs: [], entries: 0, emailsSent: [] };
}
