/**
 * Keeps the benchmarks from rotting: runs every scenario's code path with tiny counts and checks that
 * the report has its keys and that the figures are positive numbers. Asserts no timing — benchmarks
 * never fail CI on a timing. Needs the Postgres server (TEST_DATABASE_URL).
 */
import { describe, expect, it } from 'vitest';
import { requiredKeys, runBench, table } from './runner.ts';

const serverUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!serverUrl)('benchmark smoke run (tiny counts, no timings asserted)', () => {
  it('runs every scenario and reports every key', async () => {
    const lines: string[] = [];
    const report = await runBench({
      serverUrl: serverUrl as string,
      quick: true,
      tiny: true,
      log: (m) => lines.push(m),
    });
    const errors = Object.entries(report).filter(([k]) => k.endsWith('_error'));
    expect(errors, lines.join('\n')).toEqual([]);
    for (const key of requiredKeys) expect(report, `missing ${key}`).toHaveProperty(key);
    const figures = Object.entries(report).filter(
      ([k, v]) => typeof v === 'number' && !k.startsWith('machine_') && k !== 'duration_s',
    );
    for (const [key, value] of figures) expect(value, key).toBeGreaterThan(0);
    expect(table(report)).toContain('journey_transitions_per_s');
  }, 600_000);
});
