import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { connectPostgres, type Database, openPglite } from '../db/client.ts';

const migrationsDir = fileURLToPath(new URL('../../drizzle', import.meta.url));

/**
 * A migrated, empty PGlite data directory as a tarball, built once per set of migrations and kept
 * in the temp folder: opening from it takes well under a second instead of migrating from scratch.
 */
async function pgliteSnapshot(): Promise<Blob> {
  const h = createHash('sha256');
  for (const f of readdirSync(migrationsDir).sort())
    if (f.endsWith('.sql')) h.update(readFileSync(join(migrationsDir, f)));
  // The journal carries the migrations' timestamps, which the migrator records: a regenerated
  // migration with the same SQL still needs a new snapshot.
  h.update(readFileSync(join(migrationsDir, 'meta', '_journal.json')));
  const file = join(tmpdir(), `waymark-pglite-${h.digest('hex').slice(0, 16)}.tar`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const db = await openPglite();
  const client = (db.db as unknown as { $client: { dumpDataDir(c: 'none'): Promise<Blob> } }).$client;
  const blob = await client.dumpDataDir('none');
  await db.close();
  const tmp = `${file}.${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
  renameSync(tmp, file);
  return blob;
}

/** A fresh, migrated, empty in-memory PGlite database. */
export async function openTestPglite(): Promise<Database> {
  return openPglite(undefined, { loadDataDir: await pgliteSnapshot() });
}

/** A database a test suite runs against: embedded PGlite always, the Postgres server when configured. */
export interface TestBackend {
  name: 'pglite' | 'postgres';
  /** True when the backend is not available here (no TEST_DATABASE_URL): the suite shows as skipped. */
  skip: boolean;
  /** A fresh, migrated database; `close()` also drops it. */
  open(): Promise<Database>;
}

const serverUrl = process.env.TEST_DATABASE_URL;

/** Creates a database with a random name on the test server, migrates it, and drops it on close. */
export async function openTestPostgres(url: string): Promise<Database> {
  const name = `wm_test_${randomBytes(6).toString('hex')}`;
  const onServer = async (statement: string) => {
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(statement);
    } finally {
      await admin.end();
    }
  };
  await onServer(`create database ${name}`);
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  let database: Database;
  try {
    database = await connectPostgres(dbUrl.toString(), { max: 10 });
  } catch (err) {
    await onServer(`drop database if exists ${name} with (force)`);
    throw err;
  }
  return {
    ...database,
    async close() {
      await database.close();
      await onServer(`drop database if exists ${name} with (force)`);
    },
  };
}

/** The backends every database test runs on. */
export const testBackends: readonly TestBackend[] = [
  { name: 'pglite', skip: false, open: openTestPglite },
  { name: 'postgres', skip: !serverUrl, open: () => openTestPostgres(serverUrl as string) },
];
