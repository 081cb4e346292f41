import type { Effect, GenerateSubjectEffect, SentimentEffect } from '@waymark/nodes';
import { and, eq, sql } from 'drizzle-orm';
import { insertEvents } from '../db/events.ts';
import { rowsOf } from '../db/rows.ts';
import { contacts, outbox } from '../db/schema.ts';
import type { Services } from '../services.ts';
import { callWebhook, type WebhookRequest } from './webhook.ts';

/** What an AI provider must do for the AI nodes; `@waymark/models` implements it. */
export interface AiProvider {
  generateSubjects(
    request: GenerateSubjectEffect & { workspaceId: string },
  ): Promise<{ variants: string[]; scores?: number[] }>;
  sentiment(texts: string[]): Promise<number[]>;
}

/** Result of performing one effect: the properties of the `effect.result` event. */
interface EffectResult {
  ok: boolean;
  output?: unknown;
  error?: { code: string; message: string };
}

/**
 * Performs outbox effects that report back to the run (webhooks, AI requests, custom effects) and
 * records each outcome as an `effect.result` event for the contact. A crash mid-call repeats the call
 * (at-least-once); webhooks carry the outbox key as `Idempotency-Key` so receivers can drop repeats.
 */
export function createEffectsWorker(
  services: Services,
  options: { ai?: AiProvider; allowPrivateWebhooks?: boolean } = {},
) {
  const perform = async (row: typeof outbox.$inferSelect, contact: Record<string, unknown>): Promise<EffectResult> => {
    const effect = row.payload as unknown as Effect;
    switch (effect.kind) {
      case 'webhook': {
        const req = effect as WebhookRequest;
        const outcome = await callWebhook(
          { ...req, headers: { ...(req.headers ?? {}), 'idempotency-key': row.key } },
          { contact },
          { allowPrivate: options.allowPrivateWebhooks ?? false },
        );
        return outcome.ok
          ? { ok: true, output: { status: outcome.status } }
          : { ok: false, ...(outcome.error ? { error: outcome.error } : {}) };
      }
      case 'generateSubject': {
        if (!options.ai)
          return {
            ok: false,
            error: {
              code: 'model_unavailable',
              message: 'no subject-line model is configured (set WAYMARK_MODELS_DIR)',
            },
          };
        return {
          ok: true,
          output: await options.ai.generateSubjects({
            ...(effect as GenerateSubjectEffect),
            workspaceId: row.workspaceId,
          }),
        };
      }
      case 'sentiment': {
        if (!options.ai)
          return {
            ok: false,
            error: { code: 'model_unavailable', message: 'no sentiment model is configured (set WAYMARK_MODELS_DIR)' },
          };
        const texts = (effect as SentimentEffect).texts ?? [];
        if (texts.length === 0)
          return { ok: false, error: { code: 'nothing_to_check', message: 'no text reached the sentiment check' } };
        return { ok: true, output: { scores: await options.ai.sentiment(texts) } };
      }
      default:
        return { ok: false, error: { code: 'no_executor', message: `no executor for effect kind "${effect.kind}"` } };
    }
  };

  const runOnce = async (limit = 20): Promise<number> =>
    services.db.transaction(async (tx) => {
      const claimed = rowsOf<{ id: string | number }>(
        await tx.execute(sql`
          select id from ${outbox} where status = 'pending' and kind <> 'email' and next_attempt_at <= now()
          order by next_attempt_at limit ${limit} for update skip locked`),
      );
      if (claimed.length === 0) return 0;
      for (const { id } of claimed) {
        const [row] = await tx
          .select()
          .from(outbox)
          .where(eq(outbox.id, Number(id)));
        if (!row) continue;
        const [c] = await tx
          .select()
          .from(contacts)
          .where(and(eq(contacts.workspaceId, row.workspaceId), eq(contacts.id, row.contactId)));
        let result: EffectResult;
        try {
          result = await perform(row, { id: row.contactId, email: c?.email ?? null, ...(c?.attributes ?? {}) });
        } catch (e) {
          result = { ok: false, error: { code: 'effect_failed', message: (e as Error).message } };
        }
        await tx
          .update(outbox)
          .set({
            status: result.ok ? 'sent' : 'failed',
            attempts: row.attempts + 1,
            doneAt: new Date(),
            lastError: result.error ? `${result.error.code}: ${result.error.message}` : null,
          })
          .where(eq(outbox.id, row.id));
        await insertEvents(tx, [
          {
            workspaceId: row.workspaceId,
            contactId: row.contactId,
            name: 'effect.result',
            at: new Date(),
            properties: { journey: row.journeyId, node: row.node, run: row.runId, ...result },
          },
        ]);
        if (!result.ok)
          services.log.warn('effect failed', {
            kind: row.kind,
            journeyId: row.journeyId,
            node: row.node,
            code: result.error?.code,
          });
      }
      return claimed.length;
    });

  let stopped = false;
  let wake: (() => void) | undefined;
  const unlisten = services.database.listen('waymark_delivery', () => wake?.());
  const loop = (async () => {
    while (!stopped) {
      try {
        while (!stopped && (await runOnce()) > 0) {}
      } catch (err) {
        services.log.error('effects batch failed; retrying', { err });
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 1_000);
      });
    }
  })();
  return {
    runOnce,
    poke: () => wake?.(),
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      await (await unlisten)();
    },
  };
}
