import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, it } from 'vitest';
import { maintainPglite, startPgliteMaintenance } from './pglite-maintenance.ts';

type TableStats = { analyzed: boolean; vacuumed: boolean; reltuples: number };

async function statsOf(pg: PGlite, table: string): Promise<TableStats> {
  const { rows } = await pg.query<TableStats>(
    `select s.last_analyze is not null as analyzed, s.last_vacuum is not null as vacuumed, c.reltuples
     from pg_stat_user_tables s join pg_class c on c.oid = s.relid where s.relname = $1`,
    [table],
  );
  return rows[0] as TableStats;
}

describe('PGlite maintenance (autovacuum for single-user Postgres)', () => {
  let pg: PGlite | undefined;
  afterEach(async () => {
    await pg?.close();
  });

  it('analyses tables whose rows changed and vacuums those with dead rows, and leaves quiet tables alone', async () => {
    pg = await PGlite.create('memory://');
    await pg.exec(`
      create table busy (id int primary key, v text);
      create table quiet (id int primary key);
      insert into quiet values (1), (2), (3);`);
    expect(await maintainPglite(pg)).toEqual([]); // 3 rows changed: under the threshold of 50

    await pg.exec(`insert into busy select i, 'new' from generate_series(1, 5000) i`);
    expect(await maintainPglite(pg)).toEqual(['analyze public.busy']);
    expect(await statsOf(pg, 'busy')).toEqual({ analyzed: true, vacuumed: false, reltuples: 5000 });
    expect(await maintainPglite(pg)).toEqual([]);

    // 2,000 updates leave 2,000 dead rows: over 50 + 20 % of 5,000.
    await pg.exec(`update busy set v = 'sent' where id <= 2000`);
    expect(await maintainPglite(pg)).toEqual(['vacuum (analyze) public.busy']);
    expect((await statsOf(pg, 'busy')).vacuumed).toBe(true);
    expect((await statsOf(pg, 'quiet')).analyzed).toBe(false);
  });

  it('runs on its own timer until stopped', async () => {
    pg = await PGlite.create('memory://');
    await pg.exec(`create table t (id int primary key); insert into t select generate_series(1, 1000)`);
    const errors: unknown[] = [];
    const maintenance = startPgliteMaintenance(pg, { everyMs: 20, onError: (e) => errors.push(e) });
    const db = pg;
    await expect.poll(async () => (await statsOf(db, 't')).analyzed, { timeout: 10_000, interval: 50 }).toBe(true);
    await maintenance.stop();
    expect(errors).toEqual([]);
  });
});
