import { ModelError } from '@waymark/models';
import type { Effect, EffectContact, EffectResult, GenerateSubjectEffect, SentimentEffect } from '@waymark/nodes';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { AiProvider } from '../ai/provider.ts';
import { writeSubjects } from '../ai/subjects.ts';
import { deliveryChannel, insertEvents } from '../db/events.ts';
import { rowsOf } from '../db/rows.ts';
import { contacts, outbox } from '../db/schema.ts';
import { bumpStats } from '../db/stats.ts';
import { listenToOthers, type Services } from '../services.ts';
import { maxEffectTimeoutMs, runCustomEffect } from './custom-effects.ts';
import { decideEffect, effectRetryPolicy } from './effect-retry.ts';
import { blockedLiteralAddress, createGuardedFetch } from './guarded-fetch.ts';
import { SecretStore, UnreadableSecretError } from './secret-store.ts';
import { callWebhook, type WebhookRequest } from './webhook.ts';

/** How long a claimed row stays with this worker: past the longest executor time limit, then reclaimable. */
const leaseMs = maxEffectTimeoutMs + 60_000;

type OutboxRow = typeof outbox.$inferSelect;

/**
 * Performs outbox effects that report back to the run (webhooks, AI requests, custom effects of node
 * packages) and records each outcome as an `effect.result` event for the contact. Rows are claimed
 * with a lease in one short transaction, performed outside any transaction (so a slow endpoint holds
 * no locks or connections), and settled in another; a crash mid-call lets the lease run out and the
 * call is repeated (at-least-once). Webhooks and executors get the outbox key as idempotency key so
 * receivers can drop repeats. A custom effect runs with its package's executor under a time limit;
 * a throw, a timeout or a missing secret fails only that effect. Temporary failures (a webhook's 5xx,
 * a timeout, an executor's `temporaryFailure`) are tried again with backoff per the executor's policy
 * before the run hears of them (see effect-retry.ts).
 */
export function createEffectsWorker(
  services: Services,
  options: { ai?: AiProvider; allowPrivateWebhooks?: boolean; secretStore?: SecretStore } = {},
) {
  const allowPrivate = options.allowPrivateWebhooks ?? false;
  const packageFetch = createGuardedFetch({ allowPrivate });
  const secretStore = options.secretStore ?? new SecretStore();

  const performCustom = async (row: OutboxRow, effect: Effect, contact: EffectContact): Promise<EffectResult> => {
    const executor = services.registry.executor(effect.kind);
    if (!executor)
      return { ok: false, error: { code: 'no_executor', message: `no executor for effect kind "${effect.kind}"` } };
    let secrets: Record<string, string>;
    try {
      secrets = await secretStore.read(services.db, row.workspaceId, executor.secrets);
    } catch (e) {
      if (e instanceof UnreadableSecretError) return { ok: false, error: { code: e.code, message: e.message } };
      throw e;
    }
    return runCustomEffect(
      { executor, effect, key: row.key, contact, workspaceId: row.workspaceId, secrets },
      packageFetch,
    );
  };

  const perform = async (row: OutboxRow, contact: EffectContact): Promise<EffectResult> => {
    const effect = row.payload as unknown as Effect;
    switch (effect.kind) {
      case 'webhook': {
        const req = effect as WebhookRequest;
        // callWebhook's DNS guard never sees IP-literal hosts (Node does not look them up).
        const blocked = URL.canParse(req.url) ? blockedLiteralAddress(new URL(req.url), allowPrivate) : undefined;
        if (blocked) return { ok: false, error: { code: 'webhook_address_blocked', message: blocked } };
        const outcome = await callWebhook(
          { ...req, headers: { ...(req.headers ?? {}), 'idempotency-key': row.key } },
          { contact: { id: contact.id, email: contact.email, ...contact.attributes } },
          { allowPrivate },
        );
        return outcome.ok
          ? { ok: true, output: { status: outcome.status } }
          : { ok: false, error: outcome.error ?? { code: 'webhook_failed', message: 'the webhook call failed' } };
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
        const { brief, variants, tone, maxLength } = effect as GenerateSubjectEffect;
        const written = await writeSubjects(services, options.ai, row.workspaceId, {
          brief,
          variants,
          tone,
          maxLength,
        });
        return {
          ok: true,
          output: { variants: written.map((w) => w.subject), scores: written.map((w) => w.sentiment.score) },
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
        return { ok: true, output: { scores: (await options.ai.sentiment(texts)).map((s) => s.score) } };
      }
      default:
        return performCustom(row, effect, contact);
    }
  };

  /** Claims due rows (and rows whose worker's lease ran out); `attempts` goes up and fences the claim. */
  const claim = (limit: number): Promise<OutboxRow[]> =>
    services.db.transaction(async (tx) => {
      const due = rowsOf<{ id: string | number }>(
        await tx.execute(sql`
          select id from ${outbox}
          where kind <> 'email' and (
            (status = 'pending' and next_attempt_at <= now()) or (status = 'sending' and lease_until < now()))
          order by next_attempt_at limit ${limit} for update skip locked`),
      );
      if (due.length === 0) return [];
      return tx
        .update(outbox)
        .set({
          status: 'sending',
          leaseUntil: sql`now() + ${leaseMs}::int * interval '1 millisecond'`,
          attempts: sql`${outbox.attempts} + 1`,
        })
        .where(
          inArray(
            outbox.id,
            due.map((r) => Number(r.id)),
          ),
        )
        .returning();
    });

  const contactOf = async (row: OutboxRow): Promise<EffectContact> => {
    const [c] = await services.db
      .select()
      .from(contacts)
      .where(and(eq(contacts.workspaceId, row.workspaceId), eq(contacts.id, row.contactId)));
    return { id: row.contactId, email: c?.email ?? null, attributes: c?.attributes ?? {} };
  };

  /**
   * Records the outcome, unless the lease was lost to another worker meanwhile (then that one reports).
   * A temporary failure with attempts left goes back to pending after a backoff instead, counted on its
   * node as `retried:<code>`; when the last attempt fails too, `gave_up:<code>`.
   */
  const settle = (row: OutboxRow, performed: EffectResult) =>
    services.db.transaction(async (tx) => {
      const fenced = and(eq(outbox.id, row.id), eq(outbox.status, 'sending'), eq(outbox.attempts, row.attempts));
      const stat = (metric: string) => ({
        workspaceId: row.workspaceId,
        versionId: row.versionId,
        node: row.node,
        metric,
        by: 1,
      });
      const decision = decideEffect(
        performed,
        row.attempts,
        effectRetryPolicy(services.registry, row.kind),
        Math.random(),
      );
      if (decision.kind === 'retry') {
        const again = await tx
          .update(outbox)
          .set({
            status: 'pending',
            nextAttemptAt: sql`now() + ${decision.delayMs}::int * interval '1 millisecond'`,
            leaseUntil: null,
            lastError: performed.ok ? null : `${performed.error.code}: ${performed.error.message}`,
          })
          .where(fenced)
          .returning({ id: outbox.id });
        if (again.length === 0) return false;
        await bumpStats(tx, [stat(`retried:${decision.code}`)]);
        return true;
      }
      const result = decision.result;
      const error = result.ok ? undefined : result.error;
      const settled = await tx
        .update(outbox)
        .set({
          status: result.ok ? 'sent' : 'failed',
          doneAt: new Date(),
          leaseUntil: null,
          lastError: error ? `${error.code}: ${error.message}` : null,
        })
        .where(fenced)
        .returning({ id: outbox.id });
      if (settled.length === 0) return false;
      if (decision.gaveUp && error) await bumpStats(tx, [stat(`gave_up:${error.code}`)]);
      await insertEvents(tx, [
        {
          workspaceId: row.workspaceId,
          contactId: row.contactId,
          name: 'effect.result',
          at: new Date(),
          properties: { journey: row.journeyId, node: row.node, run: row.runId, ...result },
        },
      ]);
      return true;
    });

  const runOnce = async (limit = 20): Promise<number> => {
    const rows = await claim(limit);
    await Promise.all(
      rows.map(async (row) => {
        let result: EffectResult;
        try {
          result = await perform(row, await contactOf(row));
        } catch (e) {
          // A model error keeps its code (no_variants, inference_failed …) for the run and the stats.
          const code = e instanceof ModelError ? e.code : 'effect_failed';
          result = { ok: false, error: { code, message: (e as Error).message } };
        }
        const settled = await settle(row, result);
        if (settled && !result.ok)
          services.log.warn('effect failed', {
            kind: row.kind,
            journeyId: row.journeyId,
            node: row.node,
            code: result.error.code,
          });
      }),
    );
    return rows.length;
  };

  let stopped = false;
  let wake: (() => void) | undefined;
  // A poke while a batch runs is remembered, so the loop looks again before it sleeps.
  let poked = false;
  const poke = () => {
    poked = true;
    wake?.();
  };
  const unlisten = listenToOthers(services, deliveryChannel, poke);
  const loop = (async () => {
    while (!stopped) {
      try {
        do {
          poked = false;
        } while (!stopped && ((await runOnce()) > 0 || poked));
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
    poke,
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      await (await unlisten)();
    },
  };
}
