import type { Db, Tx } from './client.ts';
import { notify } from './client.ts';
import { events } from './schema.ts';

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

/** Records events for the scheduler to process and wakes it in every process. */
export async function insertEvents(db: Db | Tx, rows: readonly NewEvent[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const inserted = await db.insert(events).values(rows.slice()).returning({ id: events.id });
  await notify(db, schedulerChannel);
  return inserted.map((r) => r.id);
}
