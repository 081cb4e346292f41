import { WaymarkError } from '../errors.ts';
import type { Effect, NodeContext, NodeResult } from './types.ts';

/** The event through which the runtime reports the outcome of an effect a node waits on. */
export const effectResultEvent = 'effect.result';
/** The event a reviewer's decision arrives as. */
export const approvalDecidedEvent = 'approval.decided';

/** Asks the runtime to perform `effect` and waits for its outcome (an `effect.result` event for this node). */
export function awaitEffect(effect: Effect): NodeResult {
  return { wait: { event: { name: effectResultEvent, forThisNode: true } }, effect };
}

/** The outcome of an awaited effect, when the node is woken by it. */
export interface EffectOutcome {
  ok: boolean;
  output: unknown;
  /** The failure; `attempts` says how many times the runtime tried (temporary failures are retried first). */
  error: { code: string; message: string; attempts?: number } | undefined;
}

/** Reads the outcome of the awaited effect from the waking event; throws when the node was woken otherwise. */
export function effectOutcome(ctx: NodeContext): EffectOutcome {
  if (ctx.wake.kind !== 'event' || ctx.wake.event.event !== effectResultEvent)
    throw new WaymarkError('invalid_input', `node ${ctx.node.id} expected an ${effectResultEvent} event`);
  const p = ctx.wake.event.properties;
  const error = p.error as { code?: unknown; message?: unknown; attempts?: unknown } | undefined;
  return {
    ok: p.ok === true,
    output: p.output,
    error:
      error && typeof error === 'object'
        ? {
            code: String(error.code ?? 'effect_failed'),
            message: String(error.message ?? ''),
            ...(typeof error.attempts === 'number' ? { attempts: error.attempts } : {}),
          }
        : undefined,
  };
}
