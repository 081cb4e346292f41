/**
 * `pnpm bench` — runs every benchmark scenario and writes one flat JSON report to
 * test/bench/results/latest.json (a table goes to stderr). `pnpm bench --quick` runs small counts
 * (CI; writes results/quick.json). `--only=journey,raw` runs the scenarios whose names contain those
 * words. Needs a Postgres server: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else
 * postgres://root@127.0.0.1:5432/test; each scenario creates and drops its own database there.
 * Benchmarks never fail on a timing: the exit code is 0 unless the runner itself breaks.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBench, table } from './runner.ts';

const quick = process.argv.includes('--quick');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .filter(Boolean);
const serverUrl =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

const report = await runBench({
  serverUrl,
  quick,
  tiny: false,
  ...(only ? { only } : {}),
  log: (m) => process.stderr.write(`${m}\n`),
});

const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const out = join(dir, quick ? 'quick.json' : only ? 'partial.json' : 'latest.json');
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
process.stderr.write(`\n${table(report)}\n\nwritten to ${out}\n`);
process.stdout.write(`${JSON.stringify(report)}\n`);
