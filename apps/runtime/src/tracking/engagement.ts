import { and, eq, sql } from 'drizzle-orm';
import { recordAudit } from '../db/audit.ts';
import type { Db, Tx } from '../db/client.ts';
import { insertEvents, type NewEvent } from '../db/events.ts';
import { contacts, outbox, suppressions } from '../db/schema.ts';
import { bumpStats, type StatIncrement } from '../db/stats.ts';
import { dropHeldEmails } from '../delivery/digest.ts';
import { isDigest } from '../delivery/email-queue.ts';

/** What a recipient did with a message. */
export type Engagement = 'opened' | 'clicked' | 'unsubscribed';

type MessageRow = Pick<
  typeof outbox.$inferSelect,
  'id' | 'workspaceId' | 'journeyId' | 'versionId' | 'contactId' | 'node' | 'payload' | 'digestId'
>;

/** An experiment the message takes part in: a success on `metric` counts for `port` of `node`. */
interface Experiment {
  node: string;
  port: string;
  metric: string;
}

function experimentsOf(payload: Record<string, unknown>): Experiment[] {
  const list = payload.experiments;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (e): e is Experiment =>
      e !== null &&
      typeof e === 'object' &&
      typeof e.node === 'string' &&
      typeof e.port === 'string' &&
      typeof e.metric === 'string',
  );
}

async function findMessage(tx: Tx, messageId: number): Promise<MessageRow | undefined> {
  const [row] = await tx
    .select({
      id: outbox.id,
      workspaceId: outbox.workspaceId,
      journeyId: outbox.journeyId,
      versionId: outbox.versionId,
      contactId: outbox.contactId,
      node: outbox.node,
      payload: outbox.payload,
      digestId: outbox.digestId,
    })
    .from(outbox)
    .where(and(eq(outbox.id, messageId), eq(outbox.kind, 'email')));
  return row;
}

/**
 * Records `what` on the message the first time only; true when this call was the first. The marks
 * live in `payload.engagement` until the outbox has columns of its own for them.
 */
async function markFirst(tx: Tx, messageId: number, what: Engagement): Promise<boolean> {
  const marked = await tx
    .update(outbox)
    .set({
      payload: sql`jsonb_set(${outbox.payload}, '{engagement}', coalesce(${outbox.payload}->'engagement', '{}'::jsonb) || jsonb_build_object(${what}::text, now()))`,
    })
    .where(and(eq(outbox.id, messageId), sql`(${outbox.payload}->'engagement'->>${what}::text) is null`))
    .returning({ id: outbox.id });
  return marked.length > 0;
}

function event(row: MessageRow, name: string, at: Date, extra: Record<string, unknown> = {}): NewEvent {
  return {
    workspaceId: row.workspaceId,
    contactId: row.contactId,
    name,
    at,
    properties: { node: row.node, journey: row.journeyId, version: row.versionId, message: row.id, ...extra },
  };
}

function stat(row: MessageRow, node: string, metric: string): StatIncrement {
  return { workspaceId: row.workspaceId, versionId: row.versionId, node, metric, by: 1 };
}

/**
 * Counters and the event for a first open: `opened`, the subject variant's and open experiments'
 * successes. An email that went out inside a weekly digest was opened with the digest, under the
 * digest's subject: it counts as opened, but not as a success of its subject or its open experiment.
 */
function firstOpen(row: MessageRow, at: Date): { stats: StatIncrement[]; events: NewEvent[] } {
  const stats = [stat(row, row.node, 'opened')];
  if (row.digestId !== null) return { stats, events: [event(row, 'email.opened', at)] };
  if (typeof row.payload.variant === 'number') stats.push(stat(row, row.node, `arm:${row.payload.variant}:successes`));
  for (const e of experimentsOf(row.payload))
    if (e.metric === 'open') stats.push(stat(row, e.node, `arm:${e.port}:successes`));
  return { stats, events: [event(row, 'email.opened', at)] };
}

/**
 * Records an open of a message: the first one counts (`opened` stat, experiment successes and an
 * `email.opened` event); later ones (images reloaded, forwarded copies) change nothing. Returns
 * false when the message does not exist.
 */
export async function recordOpen(db: Db, messageId: number, at = new Date()): Promise<boolean> {
  return db.transaction(async (tx) => {
    const row = await findMessage(tx, messageId);
    if (!row) return false;
    if (await markFirst(tx, messageId, 'opened')) {
      const { stats, events } = firstOpen(row, at);
      await bumpStats(tx, stats);
      await insertEvents(tx, events);
    }
    return true;
  });
}

/**
 * Records a click on `url` in a message: an `email.clicked` event every time, the `clicked` stat and
 * click-experiment successes the first time. A click also counts as an open when the pixel never
 * loaded (images blocked). Returns false when the message does not exist.
 */
export async function recordClick(db: Db, messageId: number, url: string, at = new Date()): Promise<boolean> {
  return db.transaction(async (tx) => {
    const row = await findMessage(tx, messageId);
    if (!row) return false;
    const stats: StatIncrement[] = [];
    const events: NewEvent[] = [];
    if (await markFirst(tx, messageId, 'opened')) {
      const open = firstOpen(row, at);
      stats.push(...open.stats);
      events.push(...open.events);
    }
    if (await markFirst(tx, messageId, 'clicked')) {
      stats.push(stat(row, row.node, 'clicked'));
      for (const e of experimentsOf(row.payload))
        if (e.metric === 'click') stats.push(stat(row, e.node, `arm:${e.port}:successes`));
    }
    events.push(event(row, 'email.clicked', at, { url }));
    await bumpStats(tx, stats);
    await insertEvents(tx, events);
    return true;
  });
}

/** Where an unsubscribe came from, when not the one-click link: kept in the suppression and the audit trail. */
export interface UnsubscribeVia {
  source: 'preference-center';
  ip: string | undefined;
  userAgent: string | undefined;
}

/**
 * Unsubscribes the recipient of a message at once: a suppression (reason `unsubscribe`) for the
 * contact's address, the emails held for its weekly digest dropped (`skipped`, `suppressed`), and
 * the first time the `unsubscribed` stat and an `email.unsubscribed` event.
 * Returns the suppressed address (null when the contact has none), or undefined when the message
 * does not exist.
 */
export async function unsubscribe(
  db: Db,
  messageId: number,
  at = new Date(),
  via?: UnsubscribeVia,
): Promise<string | null | undefined> {
  return db.transaction(async (tx) => {
    const row = await findMessage(tx, messageId);
    if (!row) return undefined;
    const [contact] = await tx
      .select({ email: contacts.email })
      .from(contacts)
      .where(and(eq(contacts.workspaceId, row.workspaceId), eq(contacts.id, row.contactId)));
    const email = contact?.email?.trim().toLowerCase() || null;
    if (email)
      await tx
        .insert(suppressions)
        .values({
          workspaceId: row.workspaceId,
          email,
          reason: 'unsubscribe',
          detail: via ? `${via.source} of message ${row.id}` : `one-click link of message ${row.id}`,
        })
        .onConflictDoNothing();
    // What was held for the weekly digest goes too: it would never be sent.
    await dropHeldEmails(tx, row.workspaceId, row.contactId, 'suppressed');
    if (await markFirst(tx, messageId, 'unsubscribed')) {
      // A digest belongs to no journey step to count at.
      if (!isDigest(row)) await bumpStats(tx, [stat(row, row.node, 'unsubscribed')]);
      await insertEvents(tx, [event(row, 'email.unsubscribed', at)]);
      await recordAudit(tx, {
        workspaceId: row.workspaceId,
        actor: 'contact',
        action: 'contact.unsubscribed',
        subjectType: 'contact',
        subjectId: row.contactId,
        details: {
          message: row.id,
          journey: row.journeyId,
          node: row.node,
          ...(via ? { source: via.source, evidence: { ip: via.ip ?? null, userAgent: via.userAgent ?? null } } : {}),
        },
        ip: via?.ip,
      });
    }
    return email;
  });
}
