import type { z } from 'zod';
import { isRetryable, type RetryPolicy } from './retry.ts';
import type { CustomEffect } from './types.ts';

/** A coded failure of an effect. */
export interface EffectError {
  code: string;
  message: string;
  /** True when the failure is temporary: the runtime tries the effect again per the executor's retry policy. */
  retryable?: boolean;
  /** How many attempts were made, set by the runtime on the result it reports. */
  attempts?: number;
}

/** What performing an effect came to: an output for the waiting node, or a coded failure. */
export type EffectResult = { ok: true; output?: unknown } | { ok: false; error: EffectError };

/**
 * A temporary failure for an executor to return: the runtime performs the effect again later (per
 * its `retry` policy) and reports the failure to the node only after the last attempt.
 *
 * @example
 * if (res.status === 429 || res.status >= 500) return temporaryFailure('crm_unavailable', `the CRM answered ${res.status}`);
 */
export function temporaryFailure(code: string, message: string): EffectResult {
  return { ok: false, error: { code, message, retryable: true } };
}

/** The contact an effect is performed for, as the runtime stores it (email included). */
export interface EffectContact {
  readonly id: string;
  readonly email: string | null;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** Everything an effect executor may use besides the effect. The runtime supplies all I/O. */
export interface EffectExecutorContext {
  /** The secrets the executor declared, by name, set through the secrets API. Never log or return them. */
  readonly secrets: Readonly<Record<string, string>>;
  /** `fetch` that reaches public addresses only (unless the runtime allows private ones) and caps response size. */
  readonly fetch: typeof globalThis.fetch;
  /** Aborted when the executor's time limit passes; hand it to every request. */
  readonly signal: AbortSignal;
  /** The effect's idempotency key (run, node and visit): equal on every retry of the same work. */
  readonly key: string;
  /** The contact the effect is for. */
  readonly contact: EffectContact;
  /** The workspace the journey belongs to. */
  readonly workspaceId: string;
}

/** Performs one kind of custom effect in the runtime: the I/O half of a custom action node. */
export interface EffectExecutor<E extends CustomEffect = CustomEffect> {
  /** The effect kind it performs, namespaced like node types, e.g. `acme.slack`. */
  kind: E['kind'];
  /** Names of the workspace secrets it needs; a missing one fails the effect with `missing_secret`. */
  secrets: readonly string[];
  /** How long one execution may take, in milliseconds; the runtime caps it (default 10 s). */
  timeoutMs?: number;
  /**
   * How temporary failures ({@link temporaryFailure}, a thrown `RetryableError`, a timeout, a refused or
   * reset connection) are tried again; default 3 attempts, 5 s then 10 s apart with jitter.
   */
  retry?: RetryPolicy;
  /** Validates the effect a node produced before it is performed; failures report `invalid_effect`. */
  schema?: z.ZodType<E>;
  /**
   * Performs the effect. A throw fails it with the error's `code` when that is a snake_case code, else
   * `effect_failed`; report expected failures as `{ ok: false, error }` instead, and temporary ones
   * with {@link temporaryFailure} (or throw a `RetryableError`).
   */
  execute(effect: E, ctx: EffectExecutorContext): Promise<EffectResult>;
}

/** An executor whose effect type is forgotten, as registries hold them. */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds executors of every effect type.
export type AnyEffectExecutor = EffectExecutor<any>;

/** The fields of an executor as an author writes them; `secrets` defaults to none. */
export type EffectExecutorInput<E extends CustomEffect> = Omit<EffectExecutor<E>, 'secrets'> & {
  secrets?: readonly string[];
};

/**
 * Defines the executor of a custom effect kind. Node packages export executors beside their node
 * types (`export const effects = [...]`); the runtime's effects worker runs them with a time limit.
 *
 * @example
 * import { defineEffect } from '@waymark/nodes';
 *
 * export const postToSlack = defineEffect<{ kind: 'acme.slack'; text: string }>({
 *   kind: 'acme.slack',
 *   secrets: ['slackWebhookUrl'],
 *   async execute(effect, { secrets, fetch, signal }) {
 *     const res = await fetch(secrets.slackWebhookUrl as string, { method: 'POST', body: JSON.stringify({ text: effect.text }), signal });
 *     return res.ok ? { ok: true } : { ok: false, error: { code: 'slack_rejected', message: `Slack answered ${res.status}` } };
 *   },
 * });
 */
export function defineEffect<E extends CustomEffect>(input: EffectExecutorInput<E>): EffectExecutor<E> {
  return Object.freeze({ ...input, secrets: Object.freeze([...(input.secrets ?? [])]) }) as EffectExecutor<E>;
}

const codePattern = /^[a-z][a-z0-9_]*$/;
const maxMessage = 1_000;

function failure(code: string, message: string, retryable = false): EffectResult {
  return { ok: false, error: { code, message: message.slice(0, maxMessage), ...(retryable ? { retryable } : {}) } };
}

/** Checks an executor's answer: a well-formed result with JSON output, or a coded failure saying what is wrong. */
function normalise(result: unknown, kind: string): EffectResult {
  if (result === null || typeof result !== 'object' || typeof (result as { ok?: unknown }).ok !== 'boolean')
    return failure('invalid_result', `executor of ${kind} returned ${typeof result}, not { ok, output | error }`);
  const r = result as {
    ok: boolean;
    output?: unknown;
    error?: { code?: unknown; message?: unknown; retryable?: unknown };
  };
  if (!r.ok) {
    const code = typeof r.error?.code === 'string' && codePattern.test(r.error.code) ? r.error.code : 'effect_failed';
    return failure(code, typeof r.error?.message === 'string' ? r.error.message : '', r.error?.retryable === true);
  }
  if (r.output === undefined) return { ok: true };
  try {
    const text = JSON.stringify(r.output);
    if (text === undefined) return { ok: true };
    if (text.length > 64 * 1024)
      return failure('invalid_result', `executor of ${kind} returned an output over 64 KiB of JSON`);
    return { ok: true, output: JSON.parse(text) };
  } catch (e) {
    return failure(
      'invalid_result',
      `executor of ${kind} returned an output that is not JSON: ${(e as Error).message}`,
    );
  }
}

/**
 * Performs `effect` with `executor` the way the runtime does, minus the time limit and the network:
 * checks the declared secrets are present, validates the effect, hands the executor only the secrets
 * it declared, turns a throw into a coded failure (temporary for a `RetryableError`, a temporary network
 * error or a stop at the time limit) and a malformed answer into `invalid_result`.
 * Never throws.
 */
export async function performEffect(
  executor: AnyEffectExecutor,
  effect: unknown,
  ctx: EffectExecutorContext,
): Promise<EffectResult> {
  const missing = executor.secrets.filter((name) => typeof ctx.secrets[name] !== 'string' || ctx.secrets[name] === '');
  if (missing.length > 0)
    return failure(
      'missing_secret',
      `${executor.kind} needs the workspace secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; set it with PUT /v1/secrets/{name}`,
    );
  let input = effect;
  if (executor.schema) {
    const parsed = executor.schema.safeParse(effect);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
      return failure('invalid_effect', `${executor.kind}: ${where}${issue?.message ?? 'invalid'}`);
    }
    input = parsed.data;
  }
  const secrets: Record<string, string> = {};
  for (const name of executor.secrets) secrets[name] = ctx.secrets[name] as string;
  try {
    return normalise(await executor.execute(input, { ...ctx, secrets: Object.freeze(secrets) }), executor.kind);
  } catch (e) {
    if (ctx.signal.aborted) return failure('effect_timeout', `${executor.kind} was stopped at its time limit`, true);
    const code = (e as { code?: unknown } | null)?.code;
    return failure(
      typeof code === 'string' && codePattern.test(code) ? code : 'effect_failed',
      e instanceof Error ? e.message : String(e),
      isRetryable(e),
    );
  }
}
