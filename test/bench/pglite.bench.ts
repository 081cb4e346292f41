/**
 * The embedded default: what `pnpm start` carries with no DATABASE_URL, i.e. on PGlite in a data
 * folder. One runtime, in this process (PGlite is in-process and single-connection, so the runtime
 * owns it and the bench runs its SQL through the runtime's own database handle), on a file-backed
 * PGlite in a temp folder, emails to the SMTP sink in its own process.
 *
 * 1. Journey: the same six-node journey and the same three phases as journey.bench.ts (enrol, then
 *    the time machine twice); contacts inserted in one statement; transitions counted by the runtime
 *    (`left` node counters) and checked against 6 N.
 * 2. Ingestion: `POST /v1/events` in batches of 100 (4 in flight), each event a new contact that
 *    enrols into the journey, as in ingest.bench.ts.
 *
 * `pglite_fraction_of_postgres` (runner.ts) compares the journey figure with the Postgres one of the
 * same run; the counts differ (PGlite is meant for small installations), so read it as an order of
 * magnitude.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type RunningRuntime, readConfig, startRuntime } from '@waymark/runtime';
import type { Db } from '@waymark/runtime/db';
import { sql as drizzleSql } from 'drizzle-orm';
import type postgres from 'postgres';
import {
  advanceTime,
  apiKey,
  type BenchContext,
  eventBodies,
  type Figures,
  insertContacts,
  postEvents,
  publishJourney,
  rate,
  type Scenario,
  sixNodeJourney,
  startSink,
  transitionsPerContact,
  until,
} from './support.ts';

/**
 * support.ts's helpers take postgres.js; this adapter gives them its tagged-template call (the only
 * part they use: `` sql`…${value}…` `` resolving to rows with a `count`) on a drizzle database,
 * values bound as parameters.
 */
export function taggedSql(db: Db): postgres.Sql {
  const tag = async (strings: TemplateStringsArray, ...values: unknown[]) => {
    const result = (await db.execute(drizzleSql(strings, ...values))) as { rows?: unknown[]; affectedRows?: number };
    const rows = result.rows ?? [];
    return Object.assign(rows, { count: result.affectedRows ?? rows.length });
  };
  return tag as unknown as postgres.Sql;
}

/** Bytes under `dir`. */
function du(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? du(p) : statSync(p).size;
  }
  return total;
}

export async function runPglite(ctx: BenchContext, n: number): Promise<Figures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'waymark-bench-pglite-'));
  const sink = await startSink();
  let runtime: RunningRuntime | undefined;
  try {
    // The configuration `pnpm start` reads, with no DATABASE_URL: PGlite in WAYMARK_DATA_DIR.
    const config = readConfig(
      {
        WAYMARK_DATA_DIR: join(dataDir, 'data'),
        SMTP_URL: sink.url,
        PORT: '0',
        WAYMARK_LOG_LEVEL: 'warn',
        WAYMARK_API_KEY: apiKey,
      },
      dataDir,
    );
    runtime = await startRuntime(config, { log: createLogger('warn') });
    if (runtime.services.database.kind !== 'pglite') throw new Error('the runtime did not open PGlite');
    const sql = taggedSql(runtime.services.db);
    const base = runtime.url;
    await publishJourney(base, sixNodeJourney);
    await insertContacts(sql, n);
    const done = async (query: Promise<{ done: boolean }[]>) => (await query)[0]?.done === true;
    const noneDue = () => done(sql`select not exists (select 1 from journey_states where wake_at <= now()) as done`);
    const drained = () => done(sql`select not exists (select 1 from events where processed_at is null) as done`);

    // Phase 1: enrolment.
    await sql`
      insert into events (workspace_id, contact_id, name, at, properties)
      select 'default', 'c' || i, 'signed_up', now(), '{}' from generate_series(0, ${n - 1}::int) i`;
    await sql`select pg_notify('waymark_scheduler', '')`;
    let started = performance.now();
    const enrol = await until(drained, started, 'enrolment');
    ctx.log(`  PGlite: enrolled ${n} in ${enrol.toFixed(2)} s`);

    // Phase 2: w1 → condition → send → w2, and the emails.
    await advanceTime(sql);
    started = performance.now();
    const second = await until(noneDue, started, 'the first timers');
    const emailSeconds = await until(async () => (await sink.count()) >= n, started, 'the emails', 30 * 60_000, 100);
    ctx.log(`  PGlite: timers ${second.toFixed(2)} s, emails ${emailSeconds.toFixed(2)} s`);

    // Phase 3: w2 → exit.
    await advanceTime(sql);
    started = performance.now();
    const third = await until(noneDue, started, 'the second timers');
    ctx.log(`  PGlite: exits ${third.toFixed(2)} s`);

    const [counted] = await sql<{ left: string; exited: string }[]>`
      select (select coalesce(sum(count), 0) from node_stats where metric = 'left') as left,
             (select count(*) from journey_states where node is null) as exited`;
    const transitions = Number(counted?.left);
    if (transitions !== n * transitionsPerContact || Number(counted?.exited) !== n)
      throw new Error(`PGlite journey: ${transitions} transitions and ${counted?.exited} exits for ${n} contacts`);
    const seconds = enrol + second + third;
    const emails = await sink.count();

    // Ingestion in batches of 100, each event enrolling a new contact, after a short warm-up.
    await postEvents(base, eventBodies(100, Math.min(n, 1_000), 'warm'), 2);
    await until(drained, performance.now(), 'warm-up enrolment');
    const ingestSeconds = await postEvents(base, eventBodies(100, n, 'b100'), 4);
    const lag = await until(drained, performance.now(), 'enrolment after ingestion');
    ctx.log(`  PGlite: ${n} events in ${ingestSeconds.toFixed(2)} s; enrolment done ${lag.toFixed(2)} s later`);

    return {
      pglite_contacts: n,
      pglite_journey_transitions_per_s: rate(transitions, seconds),
      pglite_journey_enrolments_per_s: rate(n, enrol),
      pglite_journey_timer_transitions_per_s: rate(transitions - n, second + third),
      pglite_journey_emails_per_s: rate(emails, emailSeconds),
      pglite_journey_seconds: Number(seconds.toFixed(2)),
      pglite_events_per_s_batch100: rate(n, ingestSeconds),
      pglite_data_dir_mb: Number((du(dataDir) / 2 ** 20).toFixed(1)),
    };
  } finally {
    await runtime?.stop();
    await sink.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** 20,000 contacts, 2,000 with --quick, 100 in the smoke test. */
export const pgliteScenario: Scenario = {
  name: 'embedded PGlite: journey throughput and ingestion',
  run: (ctx) => runPglite(ctx, ctx.tiny ? 100 : ctx.quick ? 2_000 : 20_000),
};
