import { sql } from 'drizzle-orm';
import type { Db, Tx } from './client.ts';
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
export async function insertEvents(db: Db | Tx, rows: readonly NewEvent[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const result = await db.execute(sql`
    with inserted as (
      insert into events (workspace_id, contact_id, name, at, properties)
      select w, c, n, a, p from jsonb_to_recordset(${eventsJson(rows)}::jsonb)
        as x(w text, c text, n text, a timestamptz, p jsonb)
      returning id
    ), woken as (select pg_notify(${schedulerChannel}, ''))
    select inserted.id from inserted, woken order by inserted.id`);
  return rowsOf<{ id: string | number }>(result).map((r) => Number(r.id));
}
