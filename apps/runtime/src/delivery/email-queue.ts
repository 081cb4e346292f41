import { and, eq, inArray, lt, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { rowsOf } from '../db/rows.ts';
import { heldEmails, outbox, suppressions } from '../db/schema.ts';
import type { StatIncrement } from '../db/stats.ts';

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

/** The rendered content of an email held for the contact's weekly digest. */
export interface HeldContent {
  subject: string;
  html: string;
  text: string;
}

/** How the attempt on a claimed row ended. */
export type Outcome =
  | { status: 'sent'; messageId: string }
  | { status: 'skipped'; reason: string; metric: string }
  /** Kept, rendered, for the contact's weekly digest (reason `digest`, stat `held:digest`). */
  | { status: 'held'; content: HeldContent; heldAt: Date }
  /** Of an email a digest carries: it went out inside that digest, whose Message-ID it gets. */
  | { status: 'digested'; messageId: string }
  | { status: 'failed'; error: string }
  | { status: 'bounced'; error: string; email: string }
  /** Try again in `delayMs`; `counts` false when no attempt was made (rate limit), so none is used up. */
  | { status: 'retry'; error: string | null; delayMs: number; counts: boolean };

/** A claimed row and how its attempt ended. */
export interface Settlement {
  row: EmailRow;
  outcome: Outcome;
  /**
   * Of a digest whose attempt ended for good: what became of each held email it gathered (carried,
   * or left out by a send-time check). Written with the digest, and only if the digest is.
   */
  parts?: { row: EmailRow; outcome: Outcome }[] | undefined;
}

/** The outbox key of a digest row: derived from the first email it gathers, so gathering twice cannot make two. */
export const digestKey = (firstHeldId: number) => `digest:${firstHeldId}`;

/** A digest row of the outbox: it belongs to no journey, its emails do. */
export const isDigest = (row: Pick<EmailRow, 'payload'>) => row.payload.digest === true;

function statsOf({ row, outcome }: Pick<Settlement, 'row' | 'outcome'>): StatIncrement[] {
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
    case 'held':
      return [at('held:digest')];
    case 'digested':
      return [at('digested')];
    case 'failed':
      return [at('failed')];
    case 'bounced':
      return [at('bounced')];
    case 'retry':
      return [];
  }
}

function errorOf(outcome: Outcome): string | null {
  switch (outcome.status) {
    case 'sent':
    case 'digested':
      return null;
    case 'skipped':
      return outcome.reason;
    case 'held':
      return 'digest';
    default:
      return outcome.error;
  }
}

function valuesRow({ row, outcome }: Pick<Settlement, 'row' | 'outcome'>) {
  const status = outcome.status === 'retry' ? 'pending' : outcome.status;
  const messageId = outcome.status === 'sent' || outcome.status === 'digested' ? outcome.messageId : null;
  const delayMs = outcome.status === 'retry' ? Math.max(0, Math.round(outcome.delayMs)) : null;
  const refund = outcome.status === 'retry' && !outcome.counts ? 1 : 0;
  return {
    id: row.id,
    attempts: row.attempts,
    status,
    message_id: messageId,
    error: errorOf(outcome),
    delay_ms: delayMs,
    refund,
  };
}

/**
 * Writes the outcomes of a batch in ONE statement (atomic on its own): one UPDATE for all rows, the
 * content of held emails, the emails carried by digests (and their content deleted), the
 * suppressions of hard bounces, and the node counters. A row is only written while it is still
 * `sending` with the attempt count this worker claimed it with; a row whose lease ran out and that
 * another worker claimed again is left to that worker (and its counters are not bumped twice): the
 * rest joins the rows the UPDATE actually wrote. A digest's parts are written only while still
 * `held` by that digest (an unsubscribe may have dropped them meanwhile). A digest row counts
 * nothing itself — it belongs to no journey; its parts count at their own steps. Counter rows are
 * upserted in key order (no deadlocks between workers). Returns the number of rows written.
 */
export async function settle(db: Db, settlements: readonly Settlement[]): Promise<number> {
  if (settlements.length === 0) return 0;
  const bounces = settlements.flatMap(({ row, outcome }) =>
    outcome.status === 'bounced' ? [{ id: row.id, w: row.workspaceId, e: outcome.email, d: outcome.error }] : [],
  );
  const held = settlements.flatMap(({ row, outcome }) =>
    outcome.status === 'held' ? [{ id: row.id, at: outcome.heldAt.toISOString(), ...outcome.content }] : [],
  );
  const parts = settlements.flatMap((s) => (s.parts ?? []).map((p) => ({ ...valuesRow(p), parent: s.row.id })));
  const counters = [
    ...settlements.flatMap((s) => (isDigest(s.row) ? [] : statsOf(s).map((i) => ({ id: s.row.id, ...i })))),
    ...settlements.flatMap((s) => (s.parts ?? []).flatMap((p) => statsOf(p).map((i) => ({ id: p.row.id, ...i })))),
  ].map((i) => ({ id: i.id, w: i.workspaceId, v: i.versionId, n: i.node, m: i.metric, b: i.by }));
  const result = await db.execute(sql`
    with written as (
      update ${outbox} as o set
        status = v.status,
        message_id = coalesce(v.message_id, o.message_id),
        last_error = v.error,
        lease_until = null,
        attempts = o.attempts - v.refund,
        next_attempt_at = case when v.delay_ms is null then o.next_attempt_at else now() + v.delay_ms * interval '1 millisecond' end,
        done_at = case when v.status = 'pending' then null else now() end
      from jsonb_to_recordset(${JSON.stringify(settlements.map(valuesRow))}::jsonb)
        as v(id bigint, attempts int, status text, message_id text, error text, delay_ms int, refund int)
      where o.id = v.id and o.status = 'sending' and o.attempts = v.attempts
      returning o.id
    ), kept as (
      insert into ${heldEmails} (outbox_id, held_at, subject, html, text)
      select h.id, h.at, h.subject, h.html, h.text
      from jsonb_to_recordset(${JSON.stringify(held)}::jsonb)
        as h(id bigint, at timestamptz, subject text, html text, text text)
      join written on written.id = h.id
      on conflict do nothing
      returning 1
    ), carried as (
      update ${outbox} as o set
        status = p.status,
        message_id = coalesce(p.message_id, o.message_id),
        last_error = p.error,
        done_at = now()
      from jsonb_to_recordset(${JSON.stringify(parts)}::jsonb)
        as p(id bigint, parent bigint, status text, message_id text, error text)
      join written on written.id = p.parent
      where o.id = p.id and o.digest_id = p.parent and o.status = 'held'
      returning o.id
    ), released as (
      delete from ${heldEmails} as h
      using jsonb_to_recordset(${JSON.stringify(parts)}::jsonb) as p(id bigint, parent bigint)
      join written on written.id = p.parent
      where h.outbox_id = p.id
      returning 1
    ), bounced as (
      insert into ${suppressions} (workspace_id, email, reason, detail)
      select b.w, b.e, 'bounce', b.d
      from jsonb_to_recordset(${JSON.stringify(bounces)}::jsonb) as b(id bigint, w text, e text, d text)
      join written on written.id = b.id
      on conflict do nothing
      returning 1
    ), counted as (
      insert into node_stats (workspace_id, version_id, node, metric, count)
      select c.w, c.v, c.n, c.m, sum(c.b)
      from jsonb_to_recordset(${JSON.stringify(counters)}::jsonb) as c(id bigint, w text, v text, n text, m text, b bigint)
      join (select id from written union all select id from carried) as done on done.id = c.id
      group by c.w, c.v, c.n, c.m
      order by c.w, c.v, c.n, c.m
      on conflict (workspace_id, version_id, node, metric) do update set count = node_stats.count + excluded.count
      returning 1
    )
    select id from written`);
  return rowsOf<{ id: number | string }>(result).length;
}
