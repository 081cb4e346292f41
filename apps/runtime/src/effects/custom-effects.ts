import { type AnyEffectExecutor, type EffectContact, type EffectResult, performEffect } from '@waymark/nodes';

/** How long an executor may run when it does not say. */
export const defaultEffectTimeoutMs = 10_000;
/** The most any executor may ask for: a claimed effect row's lease must outlast it. */
export const maxEffectTimeoutMs = 60_000;

/** One custom effect to perform, with everything the executor will be handed. */
export interface CustomEffectJob {
  executor: AnyEffectExecutor;
  /** The effect as the outbox holds it. */
  effect: unknown;
  key: string;
  contact: EffectContact;
  workspaceId: string;
  /** The workspace secrets the executor declared (missing ones left out). */
  secrets: Record<string, string>;
}

/** Replaces every occurrence of a secret value in the strings of `value`, so results cannot leak secrets. */
function scrub<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  if (typeof value === 'string') {
    let s: string = value;
    for (const secret of secrets) s = s.split(secret).join('[secret]');
    return s as T;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, secrets)])) as T;
  return value;
}

/**
 * Performs a custom effect with its package's executor under a time limit. When the limit passes
 * the executor's signal is aborted and the effect fails with a temporary `effect_timeout` at once,
 * whether or not the executor stops; a throw fails it with a coded error. Never rejects, and never returns a
 * secret value in the result (an executor that puts one in a message or output has it replaced).
 */
export async function runCustomEffect(job: CustomEffectJob, fetch: typeof globalThis.fetch): Promise<EffectResult> {
  const kind = job.executor.kind;
  const limit = Math.min(job.executor.timeoutMs ?? defaultEffectTimeoutMs, maxEffectTimeoutMs);
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<EffectResult>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`${kind} ran past its time limit`));
      resolve({
        ok: false,
        error: { code: 'effect_timeout', message: `${kind} did not finish within ${limit} ms`, retryable: true },
      });
    }, limit);
  });
  try {
    const result = await Promise.race([
      performEffect(job.executor, job.effect, {
        secrets: job.secrets,
        fetch,
        signal: controller.signal,
        key: job.key,
        contact: job.contact,
        workspaceId: job.workspaceId,
      }),
      timedOut,
    ]);
    return scrub(
      result,
      Object.values(job.secrets).filter((s) => s.length >= 4),
    );
  } finally {
    clearTimeout(timer);
  }
}
