/**
 * The journey of the throughput scenarios written by hand, for the baselines: what one contact's state
 * looks like after each step (the same JSON shape Waymark stores), so the raw-SQL and job-queue
 * baselines write the same bytes Waymark writes.
 */
import { connectPostgres } from '@waymark/runtime/db';
import type postgres from 'postgres';
import { insertContacts } from './support.ts';

const hour = 3_600_000;

/** A run at `node`, as the interpreter stores it. */
export function stateAt(contactId: string, node: string | null, seq: number, now: number, wakeAt?: number) {
  if (node === null) return { runs: [], entries: 1, emailsSent: [], lastExitAt: now };
  const run: Record<string, unknown> = {
    id: `${contactId}:1`,
    node,
    startedAt: now,
    enteredAt: now,
    seq,
    outputs: {},
    trigger: { event: 'signed_up', at: now, properties: {} },
  };
  if (wakeAt !== undefined) run.wakeAt = wakeAt;
  return { runs: [run], entries: 1, emailsSent: [] };
}

/** The step logic of the six-node journey by hand: where a run at `node` goes when woken. */
export function nextOf(node: string, attributes: Record<string, unknown>, now: number) {
  switch (node) {
    case 'start':
      return { node: 'w1', seq: 1, wakeAt: now + hour, transitions: 1, email: false };
    case 'w1':
      // w1 → pro → send → w2 (or pro → w2 without the email)
      return attributes.plan === 'pro'
        ? { node: 'w2', seq: 4, wakeAt: now + hour, transitions: 3, email: true }
        : { node: 'w2', seq: 3, wakeAt: now + hour, transitions: 2, email: false };
    default:
      // w2 → done (exit)
      return { node: null, seq: 5, wakeAt: undefined, transitions: 2, email: false };
  }
}

/** A migrated Waymark database with the default workspace and `n` contacts. */
export async function prepareWaymarkSchema(url: string, sql: postgres.Sql, n: number): Promise<void> {
  const database = await connectPostgres(url, { max: 1 });
  await database.close();
  await sql`insert into workspaces (id, name) values ('default', 'Default') on conflict do nothing`;
  await insertContacts(sql, n);
}
