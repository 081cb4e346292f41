import type { StepEdge } from './editor-state.ts';

/** `GET /v1/journeys/{id}/stats`: counters per step of a version (the live one by default). */
export interface JourneyStats {
  version: number | null;
  nodes: Record<string, Record<string, number>>;
}

/** One variant of an A/B test: contacts sent down it, emails sent, opened, clicked, and successes. */
export interface VariantResult {
  port: string;
  label: string;
  trials: number;
  sent: number | undefined;
  opened: number | undefined;
  clicked: number | undefined;
  /** Contacts who did what the test measures (open or click), credited to this variant. */
  successes: number;
  /** successes ÷ (emails sent, or contacts sent down the variant when no email count exists). */
  rate: number | undefined;
}

/**
 * A variant of an A/B test as the overlay reads it; `email` is the email step only this variant leads
 * straight to, whose sent, opened and clicked counts are the variant's when the runtime has no
 * `arm:<port>:sent|opened|clicked` counters of its own.
 */
export interface VariantPort {
  id: string;
  label: string;
  email?: string | undefined;
}

/** What the overlay shows on a step card. */
export interface NodeCounts {
  entered: number;
  /** Contacts waiting at the step now. */
  active: number;
  /** Contacts that went on from the step (or left the journey there). */
  completed: number;
  failed: number;
  sent: number | undefined;
  opened: number | undefined;
  clicked: number | undefined;
  variants: VariantResult[] | undefined;
}

const sumPrefixed = (counters: Record<string, number>, prefix: string) =>
  Object.entries(counters).reduce((sum, [k, v]) => (k.startsWith(prefix) ? sum + v : sum), 0);

/**
 * The counts of one step, read from its counters (`entered`, `left`, `waiting`, `failed:*`, email
 * counters, and `arm:<port>:<what>` for A/B variants); undefined when the step has none.
 */
export function nodeCountsOf(
  stats: JourneyStats,
  nodeId: string,
  variantPorts?: readonly VariantPort[],
): NodeCounts | undefined {
  const c = stats.nodes[nodeId];
  if (!c) return undefined;
  // `failed` alone is the delivery's count of emails that could not be sent; `failed:<code>` the steps'.
  const failed = sumPrefixed(c, 'failed:') + (c.failed ?? 0);
  const arms = new Set<string>();
  for (const k of Object.keys(c)) {
    const m = /^arm:([^:]+):/.exec(k);
    if (m?.[1] !== undefined) arms.add(m[1]);
  }
  let variants: VariantResult[] | undefined;
  if (variantPorts && variantPorts.length > 0) {
    const ports = [
      ...variantPorts,
      ...[...arms].filter((a) => !variantPorts.some((p) => p.id === a)).map((a) => ({ id: a, label: a })),
    ];
    variants = ports.map((p: VariantPort) => {
      const { id, label } = p;
      const email = p.email === undefined ? undefined : stats.nodes[p.email];
      const trials = c[`arm:${id}:trials`] ?? 0;
      const sent = c[`arm:${id}:sent`] ?? email?.sent;
      const successes = c[`arm:${id}:successes`] ?? 0;
      const base = sent ?? trials;
      return {
        port: id,
        label,
        trials,
        sent,
        opened: c[`arm:${id}:opened`] ?? email?.opened,
        clicked: c[`arm:${id}:clicked`] ?? email?.clicked,
        successes,
        rate: base > 0 ? successes / base : undefined,
      };
    });
  }
  return {
    entered: c.entered ?? 0,
    active: c.waiting ?? 0,
    completed: c.left ?? 0,
    failed,
    sent: c.sent,
    opened: c.opened,
    clicked: c.clicked,
    variants,
  };
}

/**
 * How many contacts took a connection. Named ports are counted (`left:<port>`); the runtime does
 * not name `next`, so a step's single way on is what left it less failures, exits and named ports.
 */
export function edgeCountOf(stats: JourneyStats, edge: Pick<StepEdge, 'source' | 'sourceHandle'>): number | undefined {
  const c = stats.nodes[edge.source];
  if (!c) return undefined;
  const port = edge.sourceHandle ?? 'next';
  const named = c[`left:${port}`];
  if (named !== undefined || port !== 'next') return named ?? 0;
  const other = sumPrefixed(c, 'left:');
  const gone = sumPrefixed(c, 'failed:') + (c.exited ?? 0) + (c.goal ?? 0);
  return Math.max(0, (c.left ?? 0) - other - gone);
}

/** A rate as a whole percentage, `–` when there is nothing to divide by. */
export function percent(rate: number | undefined): string {
  return rate === undefined ? '–' : `${Math.round(rate * 100)}%`;
}
