import type { z } from 'zod';
import type { HistoryEvent } from '../conditions/evaluate.ts';
import type { Condition } from '../schema/condition.ts';
import type { JourneyContact, JourneyNode, JourneySettings } from '../schema/definition.ts';
import type { RetryPolicy } from './retry.ts';

/** Where a node type sits in the palette and what it may do. */
export type NodeCategory = 'trigger' | 'flow' | 'action' | 'ai';

/** One output port of a node: a stable id and the label the canvas shows. */
export interface PortSpec {
  id: string;
  label: string;
}

/**
 * Output ports, either fixed or read from an array in the config (one port per item), so that
 * the editor can derive them from a description without running code.
 */
export type PortsSpec = PortSpec[] | { fromConfig: string; idKey: string; labelKey?: string };

/** An event as the interpreter sees it: epoch-millisecond time and properties. */
export type RuntimeEvent = HistoryEvent;

/** Why the node is being executed: the contact arrived, its timer fired, or an awaited event came. */
export type Wake = { kind: 'enter' } | { kind: 'timer' } | { kind: 'event'; event: RuntimeEvent };

/** What started a run: an event, a manual enrolment or a date trigger. */
export type EnrolInput = { kind: 'event'; event: RuntimeEvent } | { kind: 'manual' } | { kind: 'date'; at: number };

/** An email to send. */
export interface EmailEffect {
  kind: 'email';
  template: string;
  subject?: string;
  /** Index of the AI subject variant chosen, when `subjectFrom` is `ai`. */
  variant?: number;
}
/** Attribute changes to apply to the contact. */
export interface UpdateContactEffect {
  kind: 'updateContact';
  set: Record<string, unknown>;
  unset?: string[];
}
/** An HTTP request to make; its outcome comes back as an `effect.result` event. */
export interface WebhookEffect {
  kind: 'webhook';
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
}
/** A request to generate subject-line variants; they come back as an `effect.result` event. */
export interface GenerateSubjectEffect {
  kind: 'generateSubject';
  brief: string;
  variants: number;
  tone?: string;
  maxLength?: number;
}
/** A request to score texts for sentiment; the scores come back as an `effect.result` event. */
export interface SentimentEffect {
  kind: 'sentiment';
  source: 'subject' | 'body' | 'text';
  texts?: string[];
  template?: string;
}
/** An effect of a custom node package: any `kind` outside the built-in ones, with JSON properties. */
export interface CustomEffect {
  kind: `${string}.${string}`;
  [property: string]: unknown;
}
/** Work a node asks the runtime to do. */
export type Effect =
  | EmailEffect
  | UpdateContactEffect
  | WebhookEffect
  | GenerateSubjectEffect
  | SentimentEffect
  | CustomEffect;

/** Why an email was not sent. */
export type SkipReason = 'frequencyCap' | 'suppressed';

/** What a node waits for before it is executed again. */
export interface WaitSpec {
  /** Wake by timer at this instant (epoch milliseconds). */
  until?: number;
  /** Wake when this event arrives. */
  event?: {
    name: string;
    where?: Condition;
    /** Only events whose `properties.node` is this node's id (decisions, effect results). */
    forThisNode?: boolean;
  };
}

/** What a node decided: leave through a port, wait, or end the run. */
export type NodeResult =
  | { go: string; effect?: Effect; skipped?: SkipReason; output?: unknown }
  | { wait: WaitSpec; effect?: Effect }
  | { exit: 'completed' };

/** Per-port results of an experiment node: how many contacts went each way and how many succeeded. */
export type VariantStats = Readonly<Record<string, { trials: number; successes: number }>>;

/** Everything a node's `execute` may read. Nodes never read the clock, the network or `Math.random`. */
export interface NodeContext {
  /** The moment of execution, epoch milliseconds. */
  readonly now: number;
  /** The node being executed. */
  readonly node: Readonly<JourneyNode>;
  /** Why it runs now. */
  readonly wake: Wake;
  /** The contact, with attribute changes made earlier in this run applied. */
  readonly contact: Readonly<JourneyContact>;
  /** The contact's time zone: its `timezone` attribute, else the journey's, else UTC. */
  readonly timezone: string;
  /** The journey's settings. */
  readonly settings: Readonly<JourneySettings>;
  /** The event that started this run, if one did. */
  readonly trigger: RuntimeEvent | undefined;
  /** The contact's recent events, oldest first. */
  readonly history: readonly RuntimeEvent[];
  /** Times (epoch ms) of the emails this journey sent the contact, oldest first. */
  readonly emailsSent: readonly number[];
  /** The effect this node produced when it began waiting, if any. */
  readonly pending: Effect | undefined;
  /** A reproducible random number in [0, 1); the first draw is fixed per contact and node. */
  random(): number;
  /** The output of the most recent node of `type` in this run (e.g. generated subjects). */
  output(type: string): unknown;
  /** Aggregated per-port results of this node across all contacts (for bandits). */
  stats(): VariantStats;
  /** Evaluates a condition against the contact's attributes and history. */
  evaluate(condition: Condition): boolean;
  /** The first node of `type` reachable from this node (through `port` when given), if any. */
  downstream(type: string, port?: string): Readonly<JourneyNode> | undefined;
}

/** A node type: what the palette shows, what the config must be, and what it does. */
export interface NodeType<Config = unknown> {
  /** Stable namespaced id, e.g. `flow.wait` or `acme.slack`. Never renamed. */
  type: string;
  /** The type version; new behaviour is a new version. */
  version: number;
  category: NodeCategory;
  title: string;
  description: string;
  /**
   * An icon name from the editor's icon set, or a package's own icon as an SVG data URI
   * (`data:image/svg+xml,…`, at most 16 KiB); unknown names are drawn as a box.
   */
  icon: string;
  /** The config schema; drives validation, the editor's form and the JSON Schema. */
  config: z.ZodType<Config>;
  ports: PortsSpec;
  /** True when the node may suspend a run (a wait, an awaited event); cycles need one. */
  waits: boolean;
  /** For triggers: whether this input enrols a contact. */
  enrols?: (config: Config, input: EnrolInput, ctx: Pick<NodeContext, 'evaluate' | 'now'>) => boolean;
  /** For `trigger.date`-like triggers: the next enrolment instant after `after` for this contact. */
  nextEnrolment?: (config: Config, contact: Readonly<JourneyContact>, after: number, timezone: string) => number | null;
  /** Extra checks beyond the schema, returned as config-path problems. */
  check?: (config: Config) => { path: (string | number)[]; message: string; code?: 'invalid_weights' }[];
  /** Migrates a config of the previous version to this version. */
  migrate?: { from: number; up: (config: unknown) => unknown };
  /**
   * How a step that failed temporarily (a thrown `RetryableError`, or `node_timeout`) is tried again;
   * default 3 attempts, 30 s then 60 s apart with jitter. Any other throw fails the step at once.
   */
  retry?: RetryPolicy;
  /** Decides what happens to a contact at this node. Pure: same inputs, same result. */
  execute: (ctx: NodeContext, config: Config) => NodeResult;
}

/** A node type whose config type is forgotten, as registries hold them. */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds node types of every config type.
export type AnyNodeType = NodeType<any>;
