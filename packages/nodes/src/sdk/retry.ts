/** How a temporary failure is tried again: how many attempts in all, and how long to wait between them. */
export interface RetryPolicy {
  /** Attempts in all, the first included (1 means never again). Default 3. */
  maxAttempts?: number;
  /** The wait before the second attempt, in ms; it doubles for each further attempt. */
  initialDelayMs?: number;
  /** The longest wait between two attempts, in ms. */
  maxDelayMs?: number;
}

/** A policy with every field filled in. */
export type ResolvedRetryPolicy = Required<RetryPolicy>;

/** The policy of node steps that say nothing: 3 attempts, 30 s then 60 s apart (with jitter), at most 10 min. */
export const defaultNodeRetryPolicy: ResolvedRetryPolicy = Object.freeze({
  maxAttempts: 3,
  initialDelayMs: 30_000,
  maxDelayMs: 600_000,
});

/** The policy of effects whose executor says nothing: 3 attempts, 5 s then 10 s apart (with jitter), at most 5 min. */
export const defaultEffectRetryPolicy: ResolvedRetryPolicy = Object.freeze({
  maxAttempts: 3,
  initialDelayMs: 5_000,
  maxDelayMs: 300_000,
});

/** Most attempts a policy may ask for. */
export const maxRetryAttempts = 20;

/** Fills the fields a policy leaves out from `defaults`. */
export function resolveRetryPolicy(
  policy: RetryPolicy | undefined,
  defaults: ResolvedRetryPolicy,
): ResolvedRetryPolicy {
  return {
    maxAttempts: policy?.maxAttempts ?? defaults.maxAttempts,
    initialDelayMs: policy?.initialDelayMs ?? defaults.initialDelayMs,
    maxDelayMs: Math.max(policy?.maxDelayMs ?? defaults.maxDelayMs, policy?.initialDelayMs ?? 0),
  };
}

/** What is wrong with a policy an author wrote, one message per field (empty when it is fine). */
export function retryPolicyProblems(policy: unknown): string[] {
  if (policy === undefined) return [];
  if (policy === null || typeof policy !== 'object')
    return ['retry must be { maxAttempts?, initialDelayMs?, maxDelayMs? }'];
  const p = policy as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(p))
    if (key !== 'maxAttempts' && key !== 'initialDelayMs' && key !== 'maxDelayMs')
      problems.push(`retry.${key} is not a retry setting (maxAttempts, initialDelayMs, maxDelayMs)`);
  const whole = (key: string, min: number, max: number) => {
    const v = p[key];
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < min || (v as number) > max))
      problems.push(`retry.${key} must be a whole number from ${min} to ${max}`);
  };
  whole('maxAttempts', 1, maxRetryAttempts);
  whole('initialDelayMs', 1, 86_400_000);
  whole('maxDelayMs', 1, 86_400_000);
  return problems;
}

/**
 * The wait after failed attempt `attempt` (1-based) before the next one: exponential backoff with
 * "equal jitter" — half the doubled delay plus a random part of the other half — so that contacts that
 * failed together do not all come back at the same instant. `random` is a number in [0, 1).
 */
export function retryDelayMs(policy: ResolvedRetryPolicy, attempt: number, random: number): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.round(base / 2 + (base / 2) * Math.min(Math.max(random, 0), 1)));
}

/**
 * A temporary failure: thrown by a node's `execute` or an effect executor, the work is tried again
 * per the retry policy, and fails with `code` only after the last attempt. Any other error is permanent.
 *
 * @example
 * if (res.status === 503) throw new RetryableError('crm_unavailable', 'the CRM is down for maintenance');
 */
export class RetryableError extends Error {
  override readonly name = 'RetryableError';
  /** Marks the error as temporary even where `instanceof` cannot see it (another copy of the SDK). */
  readonly retryable = true;
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Error codes of Node's network layer that say the other side may well answer a little later. */
const temporaryNetworkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EPIPE',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** True for a {@link RetryableError} (from any copy of the SDK) and for temporary network errors. */
export function isRetryable(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const e = error as { retryable?: unknown; code?: unknown; cause?: unknown };
  if (e.retryable === true) return true;
  if (typeof e.code === 'string' && temporaryNetworkCodes.has(e.code)) return true;
  const cause = e.cause as { code?: unknown } | null | undefined;
  return typeof cause?.code === 'string' && temporaryNetworkCodes.has(cause.code);
}
