import { sql } from 'drizzle-orm';
import { type Db, notify, type Tx } from './client.ts';
import { rowsOf } from './rows.ts';

/** The channel that wakes schedulers when events arrive or runs become due. */
export const schedulerChannel = 'waymark_scheduler';
/** The channel that wakes delivery workers when outbox rows are added. */
export const deliveryChannel = 'waymark_delivery';

/** An event to record for a contact. */
export interface NewEvent {
  workspaceId: string;
  contactId: string;
  name: string;
  at: Date;
  properties: Record<string, unknown>;
}

/** The events as one JSON parameter for `jsonb_to_recordset` (one parameter whatever the count). */
export function eventsJson(rows: readonly NewEvent[]): string {
  return JSON.stringify(
    rows.map((r) => ({ w: r.workspaceId, c: r.contactId, n: r.name, a: r.at.toISOString(), p: r.properties })),
  );
}

/**
 * Records events for the scheduler to process and wakes it in every process, in one statement.
 * Returns the new ids in the order of `rows` (ids are assigned in the order the rows are inserted).
 */
export async function insertEvents(
  db: Db | Tx,
  rows: readonly NewEvent[],
  options: { notify?: boolean } = {},
): Promise<number[]> {
  if (rows.length === 0) return [];
  const woken = options.notify === false ? sql`` : sql`, woken as (select pg_notify(${schedulerChannel}, ''))`;
  const result = await db.execute(sql`
    with inserted as (
      insert into events (workspace_id, contact_id, name, at, properties)
      select w, c, n, a, p from jsonb_to_recordset(${eventsJson(rows)}::jsonb)
        as x(w text, c text, n text, a timestamptz, p jsonb)
      returning id
    )${woken}
    select inserted.id from inserted${options.notify === false ? sql`` : sql`, woken`} order by inserted.id`);
  return rowsOf<{ id: string | number }>(result).map((r) => Number(r.id));
}

/** The origins (processes) with a NOTIFY waiting to be sent. */
const pendingNotify = new Set<string>();

/** How long a wake-up of the other processes may wait to be sent together with others. */
export const notifyCoalesceMs = 10;

/**
 * NOTIFYs the schedulers of every process, after the events were committed, coalesced: at most one
 * NOTIFY per database every `notifyCoalesceMs`, however many requests asked for one meanwhile.
 * (The caller wakes its own process's scheduler directly, at once; the NOTIFY carries `origin`, so
 * that scheduler skips it.)
 *
 * Why not NOTIFY inside the ingesting transaction: Postgres serialises the commits of all
 * transactions that NOTIFY (a global lock held through the commit), and one NOTIFY per request is
 * one more statement per request: at 500 single-event requests per second that was as many
 * statements again as the ingestion itself. A NOTIFY of its own carries no writes and costs no flush.
 */
export function notifySchedulers(db: Db, origin: string): void {
  if (pendingNotify.has(origin)) return;
  pendingNotify.add(origin);
  const timer = setTimeout(() => {
    pendingNotify.delete(origin);
    notify(db, schedulerChannel, origin).catch(() => {
      // Best effort: schedulers also poll (at most a second later).
    });
  }, notifyCoalesceMs);
  timer.unref?.();
}
