import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { startPgliteMaintenance } from './pglite-maintenance.ts';
import * as schema from './schema.ts';

/** The drizzle database, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle of {@link Db}. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** A connected database: drizzle on postgres.js or PGlite, plus LISTEN/NOTIFY and shutdown. */
export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Calls `onNotify` whenever `channel` is notified (by any process on the same database). */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Connects to a Postgres server by URL and applies migrations (serialised across processes). */
export async function connectPostgres(url: string, options: { max?: number } = {}): Promise<Database> {
  const client = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: { application_name: 'waymark' },
  });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  // One connection (max 1), so that the session-level advisory lock covers the migration: several
  // runtime processes may start at once; one migrates while the others wait. (drizzle cannot run on
  // a `reserve()`d postgres.js connection: it lacks the client's type parsers.)
  const migrator = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrator`select pg_advisory_lock(727274)`;
    await migratePostgres(drizzlePostgres(migrator), { migrationsFolder });
    await migrator`select pg_advisory_unlock(727274)`;
  } finally {
    await migrator.end({ timeout: 5 });
  }
  return {
    db,
    kind: 'postgres',
    async listen(channel, onNotify) {
      const sub = await client.listen(channel, (payload) => onNotify(payload));
      return () => sub.unlisten();
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * Opens embedded PGlite in `dataDir` (in memory when undefined) and applies migrations. Tables are
 * analysed and vacuumed as they change (see pglite-maintenance.ts); `onMaintenanceError` hears of a
 * pass that failed.
 */
export async function openPglite(
  dataDir?: string,
  options: { loadDataDir?: Blob; onMaintenanceError?: (err: unknown) => void } = {},
): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create(
    dataDir ?? 'memory://',
    options.loadDataDir ? { loadDataDir: options.loadDataDir } : {},
  );
  const db = drizzlePglite(pg, { schema }) as unknown as Db;
  await migratePglite(drizzlePglite(pg), { migrationsFolder });
  const maintenance = startPgliteMaintenance(
    pg,
    options.onMaintenanceError ? { onError: options.onMaintenanceError } : {},
  );
  return {
    db,
    kind: 'pglite',
    async listen(channel, onNotify) {
      const unsub = await pg.listen(channel, onNotify);
      return () => unsub();
    },
    async close() {
      await maintenance.stop();
      await pg.close();
    },
  };
}

/** Wakes listeners on `channel` in every process on this database. */
export async function notify(db: Db | Tx, channel: string, payload = ''): Promise<void> {
  await db.execute(sql`select pg_notify(${channel}, ${payload})`);
}
