/**
 * Contact import: rows per second through `POST /v1/imports` of a streamed CSV (the planted file of
 * the import tests: bad syntax, duplicates by case and Gmail dots, disposable, role and typo rows in
 * every block of 1,000), with full validation and hygiene, on Postgres, into an empty workspace.
 * Needs a Postgres server: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local default.
 */
import { createLogger, startRuntime } from '@waymark/runtime';
import { openTestPostgres } from '@waymark/runtime/testing';
import { plantedCsv, postImport } from '../support/import-csv.ts';
import { testConfig } from '../support/runtime.ts';

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

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 200_000);
  console.log(JSON.stringify(await runImportBench(n)));
}
