import {
  defaultEffectRetryPolicy,
  type EffectResult,
  type NodeRegistry,
  type RetryPolicy,
  resolveRetryPolicy,
  retryDelayMs,
} from '@waymark/nodes';

/** What to do with a performed effect: try it again after `delayMs`, or report `result` to the run. */
export type EffectDecision =
  | { kind: 'retry'; delayMs: number; code: string }
  | { kind: 'report'; result: EffectResult; gaveUp: boolean };

/** The retry policy of an effect kind: its executor's (custom kinds), else the default (webhooks). */
export function effectRetryPolicy(registry: NodeRegistry, kind: string): RetryPolicy | undefined {
  return registry.executor(kind)?.retry;
}

/**
 * Decides after attempt `attempts` (1-based, as the outbox row counts claims) whether a failed effect
 * is tried again: only a temporary failure (`error.retryable`), and only while attempts remain. The
 * result reported to the run carries the number of attempts; one that gave up says so in its message.
 * `random` in [0, 1) spreads the retries of effects that failed together.
 */
export function decideEffect(
  result: EffectResult,
  attempts: number,
  policy: RetryPolicy | undefined,
  random: number,
): EffectDecision {
  if (result.ok) return { kind: 'report', result, gaveUp: false };
  const resolved = resolveRetryPolicy(policy, defaultEffectRetryPolicy);
  const temporary = result.error.retryable === true;
  if (temporary && attempts < resolved.maxAttempts)
    return { kind: 'retry', delayMs: retryDelayMs(resolved, attempts, random), code: result.error.code };
  const message = temporary
    ? `${result.error.message} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'})`
    : result.error.message;
  return { kind: 'report', result: { ok: false, error: { ...result.error, message, attempts } }, gaveUp: temporary };
}
