/**
 * Runs the benchmark scenarios (test/bench/*.bench.ts) one after another, merges their figures into
 * one flat report, adds the same-run comparisons (fraction of the raw limit, multiple of the job
 * queue, 2-process scaling) and the targets, and prints a table. Benchmarks never fail on a timing:
 * a scenario that throws is reported as `<name>_error` and the others still run.
 */
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { deliveryScenario } from './delivery.bench.ts';
import { importScenario } from './import.bench.ts';
import { ingestScenario } from './ingest.bench.ts';
import { interpreterScenario } from './interpreter.bench.ts';
import { jobQueueScenario } from './job-queue.bench.ts';
import { journey2Scenario, journeyScenario } from './journey.bench.ts';
import { latency2Scenario, latencyScenario } from './latency.bench.ts';
import { modelsScenario } from './models.bench.ts';
import { pgliteScenario } from './pglite.bench.ts';
import { rawScenario } from './raw.bench.ts';
import type { BenchContext, Figures, Scenario } from './support.ts';

/**
 * Every scenario, in the order they run. Each baseline runs next to what it is compared with, since
 * the machine is shared and its speed drifts.
 *
 * To add one: export a `Scenario` from a `*.bench.ts` file and list it here.
 */
export const scenarios: Scenario[] = [
  rawScenario,
  journeyScenario,
  journey2Scenario,
  pgliteScenario,
  jobQueueScenario,
  ingestScenario,
  latencyScenario,
  latency2Scenario,
  deliveryScenario,
  interpreterScenario,
  importScenario,
  modelsScenario,
];

/** The targets of issue 8 on the 2-core machine: `higher` (at least) or `lower` (under). */
export const targets: Record<string, { value: number; better: 'higher' | 'lower' }> = {
  journey_transitions_per_s: { value: 5_000, better: 'higher' },
  emails_per_s: { value: 1_000, better: 'higher' },
  events_per_s_batch1000: { value: 10_000, better: 'higher' },
  p99_event_to_send_ms: { value: 250, better: 'lower' },
  import_rows_per_s: { value: 20_000, better: 'higher' },
  journey_multiple_of_job_queue: { value: 1.5, better: 'higher' },
};

/** The keys every full report has (the smoke test checks them). */
export const requiredKeys = [
  'time',
  'machine_cpus',
  'machine_cpu_model',
  'node',
  'journey_transitions_per_s',
  'journey_transitions_per_s_2proc',
  'journey_emails_per_s',
  'emails_per_s',
  'events_per_s_batch1',
  'events_per_s_batch100',
  'events_per_s_batch1000',
  'p50_event_to_send_ms',
  'p95_event_to_send_ms',
  'p99_event_to_send_ms',
  'raw_limit_transitions_per_s',
  'job_queue_transitions_per_s',
  'journey_fraction_of_raw_limit',
  'journey_multiple_of_job_queue',
  'journey_fraction_of_raw_limit_2proc',
  'journey_multiple_of_job_queue_2proc',
  'scaling_2proc_over_1proc',
  'emails_fraction_of_smtp_raw_limit',
  'events_fraction_of_raw_limit_batch1000',
  'interpreter_transitions_per_s',
  'import_rows_per_s',
  'import_raw_limit_rows_per_s',
  'import_fraction_of_raw_limit',
  'models_sentiment_batch1_per_s',
  'models_sentiment_batch8_per_s',
  'models_sentiment_batch32_per_s',
  'models_subject_generations_per_s',
  'pglite_journey_transitions_per_s',
  'pglite_journey_emails_per_s',
  'pglite_events_per_s_batch100',
  'pglite_fraction_of_postgres',
];

const ratio = (a: unknown, b: unknown) =>
  typeof a === 'number' && typeof b === 'number' && b > 0 ? Number((a / b).toFixed(3)) : null;

/** Adds the same-run comparisons and the target checks to the merged figures. */
export function compare(f: Figures): Figures {
  const out: Figures = {};
  const put = (key: string, value: number | null) => {
    if (value !== null) out[key] = value;
  };
  for (const suffix of ['', '_2proc']) {
    put(
      `journey_fraction_of_raw_limit${suffix}`,
      ratio(f[`journey_transitions_per_s${suffix}`], f.raw_limit_transitions_per_s),
    );
    put(
      `journey_multiple_of_job_queue${suffix}`,
      ratio(f[`journey_transitions_per_s${suffix}`], f.job_queue_transitions_per_s),
    );
  }
  put('scaling_2proc_over_1proc', ratio(f.journey_transitions_per_s_2proc, f.journey_transitions_per_s));
  put('emails_fraction_of_smtp_raw_limit', ratio(f.emails_per_s, f.smtp_raw_limit_emails_per_s));
  put('import_fraction_of_raw_limit', ratio(f.import_rows_per_s, f.import_raw_limit_rows_per_s));
  put('pglite_fraction_of_postgres', ratio(f.pglite_journey_transitions_per_s, f.journey_transitions_per_s));
  put('events_fraction_of_raw_limit_batch1000', ratio(f.events_per_s_batch1000, f.raw_limit_events_per_s_batch1000));
  const all = { ...f, ...out };
  for (const [key, t] of Object.entries(targets)) {
    const v = all[key];
    out[`target_${key}`] = t.value;
    if (typeof v === 'number') out[`meets_target_${key}`] = t.better === 'higher' ? v >= t.value : v < t.value;
  }
  return out;
}

export interface BenchOptions extends BenchContext {
  /** Only the scenarios whose name includes one of these (all when empty). */
  only?: string[];
}

/** Runs the scenarios and returns the flat report. */
export async function runBench(options: BenchOptions): Promise<Figures> {
  const startedAt = new Date();
  const figures: Figures = {};
  const selected = scenarios.filter(
    (s) => !options.only || options.only.length === 0 || options.only.some((o) => s.name.includes(o)),
  );
  for (const scenario of selected) {
    options.log(`▶ ${scenario.name}`);
    const t0 = performance.now();
    try {
      Object.assign(figures, await scenario.run(options));
    } catch (err) {
      // Never fail the run on one scenario: say what broke and go on.
      figures[`${scenario.name.split(' ')[0]}_error`] = err instanceof Error ? err.message.slice(0, 2000) : String(err);
      options.log(`  failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    options.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const cpu = cpus();
  return {
    time: startedAt.toISOString(),
    duration_s: Number(((Date.now() - startedAt.getTime()) / 1000).toFixed(1)),
    quick: options.quick,
    machine_cpus: cpu.length,
    machine_cpu_model: cpu[0]?.model ?? 'unknown',
    machine_memory_gb: Math.round(totalmem() / 2 ** 30),
    machine_free_memory_gb: Math.round(freemem() / 2 ** 30),
    machine_load_1m_at_end: Number((loadavg()[0] ?? 0).toFixed(2)),
    node: process.version,
    ...figures,
    ...compare(figures),
  };
}

/** The report as a two-column table. */
export function table(report: Figures): string {
  const rows = Object.entries(report).map(([k, v]) => [
    k,
    typeof v === 'number' ? v.toLocaleString('en-US') : String(v),
  ]);
  const width = Math.max(...rows.map(([k]) => (k as string).length));
  return rows.map(([k, v]) => `${(k as string).padEnd(width)}  ${v}`).join('\n');
}
