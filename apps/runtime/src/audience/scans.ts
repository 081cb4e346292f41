import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.ts';
import { rowsOf } from '../db/rows.ts';
import type { Services } from '../services.ts';
import { refreshAudience } from './refresh.ts';

/** A background pass over all contacts: a segment to compute, a date-trigger journey to schedule, RFM to recompute. */
export type ScanKind = 'segment' | 'dates' | 'rfm';

/** Queues a pass (restarting it from the first contact when one for the same target is under way). */
export async function queueScan(q: Db | Tx, workspaceId: string, kind: ScanKind, target: string): Promise<void> {
  await q.execute(sql`
    insert into audience_scans (workspace_id, kind, target) values (${workspaceId}, ${kind}, ${target})
    on conflict (workspace_id, kind, target) do update set cursor = '', created_at = now()`);
}

/** Drops a queued pass (its segment was deleted). */
export async function dropScan(q: Db | Tx, workspaceId: string, kind: ScanKind, target: string): Promise<void> {
  await q.execute(
    sql`delete from audience_scans where workspace_id = ${workspaceId} and kind = ${kind} and target = ${target}`,
  );
}

/**
 * Advances one queued pass by one page of contacts (in id order), in one transaction: the pass row is
 * claimed with SKIP LOCKED, so several processes work on different passes; the page's contacts are
 * refreshed and the cursor moved on; the last page removes the pass (a segment then goes live).
 * Returns the number of contacts done (0 when there was nothing to do).
 */
export async function runScanStep(services: Services, pageSize = 500): Promise<number> {
  return services.db.transaction((tx) => advanceScan(tx, services, pageSize));
}

/** {@link runScanStep} inside the caller's transaction. */
export async function advanceScan(tx: Tx, services: Services, pageSize = 500): Promise<number> {
  const [scan] = rowsOf<{ workspace_id: string; kind: ScanKind; target: string; cursor: string }>(
    await tx.execute(sql`
      select workspace_id, kind, target, cursor from audience_scans
      order by created_at limit 1 for update skip locked`),
  );
  if (!scan) return 0;
  const page = rowsOf<{ id: string }>(
    await tx.execute(sql`
      select id from contacts where workspace_id = ${scan.workspace_id} and id > ${scan.cursor}
      order by id limit ${pageSize}`),
  );
  const ids = page.map((p) => p.id);
  await refreshAudience(tx, services, scan.workspace_id, ids, {
    force: true,
    fresh: true,
    rfm: scan.kind === 'rfm',
  });
  if (ids.length < pageSize) await dropScan(tx, scan.workspace_id, scan.kind, scan.target);
  else
    await tx.execute(sql`
      update audience_scans set cursor = ${ids[ids.length - 1] as string}
      where workspace_id = ${scan.workspace_id} and kind = ${scan.kind} and target = ${scan.target}`);
  return Math.max(ids.length, 1);
}
