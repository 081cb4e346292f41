import { and, eq, inArray, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { rowsOf } from '../db/rows.ts';
import { outbox, suppressions } from '../db/schema.ts';
import { bumpStats, type StatIncrement } from '../db/stats.ts';

/** An email row of the outbox, as claimed. */
export type EmailRow = typeof outbox.$inferSelect;

/**
 * Claims up to `limit` due email rows for `leaseMs`: pending rows whose time has come, and rows left
 * `sending` by a worker whose lease ran out (it crashed). Rows another worker is claiming right now
 * are skipped, not waited for. `attempts` goes up by one and fences the claim (see {@link settle}).
 */
export async function claimEmails(db: Db, limit: number, leaseMs: number): Promise<EmailRow[]> {
  const due = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.kind, 'email'),
        inArray(outbox.status, ['pending', 'sending']),
        or(
          and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, sql`now()`)),
          and(eq(outbox.status, 'sending'), lt(outbox.leaseUntil, sql`now()`)),
        ),
      ),
    )
    .orderBy(outbox.nextAttemptAt)
    .limit(limit)
    .for('update', { skipLocked: true });
  return db
    .update(outbox)
    .set({
      status: 'sending',
      leaseUntil: sql`now() + ${leaseMs}::int * interval '1 millisecond'`,
      attempts: sql`${outbox.attempts} + 1`,
    })
    .where(inArray(outbox.id, due))
    .returning();
}

/** How the attempt on a claimed row ended. */
export type Outcome =
  | { status: 'sent'; messageId: string }
  | { status: 'skipped'; reason: string; metric: string }
  | { status: 'failed'; error: string }
  | { status: 'bounced'; error: string; email: string }
  /** Try again in `delayMs`; `counts` false when no attempt was made (rate limit), so none is used up. */
  | { status: 'retry'; error: string | null; delayMs: number; counts: boolean };

/** A claimed row and how its attempt ended. */
export interface Settlement {
  row: EmailRow;
  outcome: Outcome;
}

function statsOf({ row, outcome }: Settlement): StatIncrement[] {
  const at = (metric: string): StatIncrement => ({
    workspaceId: row.workspaceId,
    versionId: row.versionId,
    node: row.node,
    metric,
    by: 1,
  });
  switch (outcome.status) {
    case 'sent': {
      const variant = row.payload.variant;
      return typeof variant === 'number' ? [at('sent'), at(`arm:${variant}:trials`)] : [at('sent')];
    }
    case 'skipped':
      return [at(outcome.metric)];
    case 'failed':
      return [at('failed')];
    case 'bounced':
      return [at('bounced')];
    case 'retry':
      return [];
  }
}

function valuesRow({ row, outcome }: Settlement): SQL {
  const status = outcome.status === 'retry' ? 'pending' : outcome.status;
  const messageId = outcome.status === 'sent' ? outcome.messageId : null;
  const error =
    outcome.status === 'sent'
      ? null
      : outcome.status === 'skipped'
        ? outcome.reason
        : outcome.status === 'retry'
          ? outcome.error
          : outcome.error;
  const delayMs = outcome.status === 'retry' ? Math.max(0, Math.round(outcome.delayMs)) : null;
  const refund = outcome.status === 'retry' && !outcome.counts ? 1 : 0;
  return sql`(${row.id}::bigint, ${row.attempts}::int, ${status}::text, ${messageId}::text, ${error}::text, ${delayMs}::int, ${refund}::int)`;
}

/**
 * Writes the outcomes of a batch in one transaction: one UPDATE for all rows, the suppressions of
 * hard bounces, and the node counters. A row is only written while it is still `sending` with the
 * attempt count this worker claimed it with; a row whose lease ran out and that another worker
 * claimed again is left to that worker (and its counters are not bumped twice).
 * Returns the number of rows written.
 */
export async function settle(db: Db, settlements: readonly Settlement[]): Promise<number> {
  if (settlements.length === 0) return 0;
  return db.transaction(async (tx) => {
    const result = await tx.execute(sql`
      update ${outbox} as o set
        status = v.status,
        message_id = coalesce(v.message_id, o.message_id),
        last_error = v.error,
        lease_until = null,
        attempts = o.attempts - v.refund,
        next_attempt_at = case when v.delay_ms is null then o.next_attempt_at else now() + v.delay_ms * interval '1 millisecond' end,
        done_at = case when v.status = 'pending' then null else now() end
      from (values ${sql.join(settlements.map(valuesRow), sql`, `)})
        as v(id, attempts, status, message_id, error, delay_ms, refund)
      where o.id = v.id and o.status = 'sending' and o.attempts = v.attempts
      returning o.id`);
    const written = new Set(rowsOf<{ id: number | string }>(result).map((r) => Number(r.id)));
    const mine = settlements.filter((s) => written.has(s.row.id));
    const bounces = mine.flatMap(({ row, outcome }) =>
      outcome.status === 'bounced'
        ? [{ workspaceId: row.workspaceId, email: outcome.email, reason: 'bounce' as const, detail: outcome.error }]
        : [],
    );
    if (bounces.length > 0) await tx.insert(suppressions).values(bounces).onConflictDoNothing();
    await bumpStats(tx, mine.flatMap(statsOf));
    return mine.length;
  });
}
