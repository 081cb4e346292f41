/**
 * Contact import: rows per second through `POST /v1/imports` of a streamed CSV (the planted file of
 * the import tests: bad syntax, duplicates by case and Gmail dots, disposable, role and typo rows in
 * every block of 1,000), with full validation and hygiene, on Postgres, into an empty workspace.
 * Needs a Postgres server: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local default.
 */
import { createLogger, startRuntime } from '@waymark/runtime';
import { openTestPostgres } from '@waymark/runtime/testing';
import { plantedCsv, plantedRow, postImport } from '../support/import-csv.ts';
import { testConfig } from '../support/runtime.ts';
import { createDatabase, rate, type Scenario } from './support.ts';

/** Imports `rows` rows (default 200,000) and reports the rate. */
export async function runImportBench(rows = 200_000): Promise<{ import_rows_per_s: number }> {
  const serverUrl =
    process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
  const database = await openTestPostgres(serverUrl);
  const apiKey = `wm_bench_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const runtime = await startRuntime(testConfig({ apiKey, workers: false }), {
    database,
    log: createLogger('silent'),
  });
  try {
    const started = performance.now();
    const res = await postImport<{ status: string; rowsRead: number }>(runtime.url, apiKey, plantedCsv(rows));
    const seconds = (performance.now() - started) / 1000;
    if (res.status !== 201 || res.body.rowsRead !== rows)
      throw new Error(`import failed: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    return { import_rows_per_s: Math.round(rows / seconds) };
  } finally {
    await runtime.stop();
    await database.close();
  }
}

/**
 * The same-run baseline: the same rows written as contacts with the least SQL (1,000 rows per
 * statement through postgres.js, no parsing of a stream, no validation, no hygiene, no report), so
 * the import's figure can be read as a fraction of what this Postgres takes at that moment.
 */
export async function runImportRawLimit(serverUrl: string, rows: number): Promise<number> {
  const db = await createDatabase(serverUrl, 'wm_bench_import');
  try {
    await db.sql`create table contacts (workspace_id text not null, id text not null, email text,
      attributes jsonb not null default '{}', primary key (workspace_id, id))`;
    await db.sql`create unique index on contacts (workspace_id, lower(email))`;
    const started = performance.now();
    for (let from = 0; from < rows; from += 1000) {
      const chunk: { id: string; email: string; attributes: Record<string, string> }[] = [];
      const seen = new Set<string>();
      for (let i = from; i < Math.min(rows, from + 1000); i++) {
        const [email = '', first = '', plan = ''] = plantedRow(i).trimEnd().split(',');
        const key = email.toLowerCase();
        if (!key || seen.has(key)) continue;
        seen.add(key);
        chunk.push({ id: `r${i}`, email, attributes: { first_name: first, plan } });
      }
      await db.sql`insert into contacts (workspace_id, id, email, attributes)
        select 'w', x.id, x.email, x.attributes
        from jsonb_to_recordset(${JSON.stringify(chunk)}::text::jsonb) as x(id text, email text, attributes jsonb)
        on conflict do nothing`;
    }
    return rate(rows, (performance.now() - started) / 1000);
  } finally {
    await db.drop();
  }
}

/** Import rate next to its raw baseline: 200,000 rows, 20,000 with --quick, 2,000 in the smoke test. */
export const importScenario: Scenario = {
  name: 'import',
  async run(ctx) {
    const rows = ctx.tiny ? 2_000 : ctx.quick ? 20_000 : 200_000;
    const raw = await runImportRawLimit(ctx.serverUrl, rows);
    const { import_rows_per_s } = await runImportBench(rows);
    return { import_rows: rows, import_rows_per_s, import_raw_limit_rows_per_s: raw };
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 200_000);
  console.log(JSON.stringify(await runImportBench(n)));
}
