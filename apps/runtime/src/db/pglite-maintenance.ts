import type { PGlite } from '@electric-sql/pglite';

/**
 * What autovacuum does for a Postgres server, for embedded PGlite, which runs Postgres in
 * single-user mode without it: tables whose rows changed enough since their last ANALYZE are
 * analysed, and tables with enough dead rows are vacuumed, with Postgres' own default thresholds
 * (analyze past 50 + 10 % of the table's rows changed, vacuum past 50 + 20 % dead). Without it the
 * planner keeps the statistics of empty tables and updated rows pile up: at 60,000 contacts the
 * PGlite benchmark sent 214 emails/s; analysing as the tables grew, 699 emails/s.
 */
export async function maintainPglite(pg: PGlite): Promise<string[]> {
  // Single-user mode flushes the activity counters only when asked.
  await pg.query('select pg_stat_force_next_flush()');
  const { rows } = await pg.query<{ name: string; vacuum: boolean; analyze: boolean }>(`
    select format('%I.%I', s.schemaname, s.relname) as name,
      s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0) as vacuum,
      s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0) as analyze
    from pg_stat_user_tables s join pg_class c on c.oid = s.relid
    where s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0)
       or s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
    order by s.n_mod_since_analyze desc`);
  const done: string[] = [];
  for (const t of rows) {
    const command = t.vacuum ? `vacuum (analyze) ${t.name}` : `analyze ${t.name}`;
    await pg.exec(command);
    done.push(command);
  }
  return done;
}

/**
 * Runs {@link maintainPglite} every `everyMs` (default 15 s) until stopped; a failed pass is reported
 * to `onError` and tried again at the next tick. The timer does not keep the process alive.
 */
export function startPgliteMaintenance(
  pg: PGlite,
  options: { everyMs?: number; onError?: (err: unknown) => void } = {},
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    running = running.then(() => (stopped ? undefined : maintainPglite(pg).catch((err) => options.onError?.(err))));
  }, options.everyMs ?? 15_000);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
