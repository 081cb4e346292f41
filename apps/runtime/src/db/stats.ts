import { sql } from 'drizzle-orm';
import type { Db, Tx } from './client.ts';
import { nodeStats } from './schema.ts';

/** One counter increment: `metric` of `node` in journey version `versionId`. */
export interface StatIncrement {
  workspaceId: string;
  versionId: string;
  node: string;
  metric: string;
  by: number;
}

/**
 * Adds increments to the node counters in one statement, summing duplicates first so a batch of a
 * thousand steps costs one upsert.
 */
export async function bumpStats(db: Db | Tx, increments: readonly StatIncrement[]): Promise<void> {
  if (increments.length === 0) return;
  const summed = new Map<string, StatIncrement>();
  for (const inc of increments) {
    const key = `${inc.workspaceId}\u0000${inc.versionId}\u0000${inc.node}\u0000${inc.metric}`;
    const seen = summed.get(key);
    if (seen) seen.by += inc.by;
    else summed.set(key, { ...inc });
  }
  // Sorted so that concurrent batches lock counter rows in the same order (no deadlocks).
  const rows = [...summed.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, r]) => ({
      workspaceId: r.workspaceId,
      versionId: r.versionId,
      node: r.node,
      metric: r.metric,
      count: r.by,
    }));
  await db
    .insert(nodeStats)
    .values(rows)
    .onConflictDoUpdate({
      target: [nodeStats.workspaceId, nodeStats.versionId, nodeStats.node, nodeStats.metric],
      set: { count: sql`${nodeStats.count} + excluded.count` },
    });
}
