/**
 * Journey throughput: N contacts through trigger → wait → condition → send → wait → exit on 1 or 2
 * runtime processes (`node apps/runtime/src/main.ts`, as `pnpm start` runs it) sharing one Postgres,
 * emails to the SMTP sink in its own process.
 *
 * Time is advanced in three measured phases, so that each phase is pure scheduler work:
 *   1. enrol  — N `signed_up` events inserted in one statement; clock from its commit until every
 *               event is processed (each contact now waits at w1 for an hour);
 *   2. timers — the time machine (support.advanceTime) makes every waiting run due now; clock until
 *               no run is due (w1 → condition → send → w2); the emails are counted until the sink
 *               has all of them;
 *   3. timers — again (w2 → exit).
 * Transitions are counted by the runtime itself (the `left` node counters) and checked against 6 N.
 * Ingestion over HTTP is measured on its own (ingest.bench.ts).
 */
import {
  advanceTime,
  type BenchContext,
  createDatabase,
  type Figures,
  insertContacts,
  publishJourney,
  type RuntimeProcess,
  rate,
  type Scenario,
  sixNodeJourney,
  startRuntimes,
  startSink,
  transitionsPerContact,
  until,
} from './support.ts';

export interface JourneyResult {
  contacts: number;
  processes: number;
  transitions: number;
  seconds: number;
  phases: number[];
  emails: number;
  emailSeconds: number;
  cpuMsPerTransition: number;
}

/** Runs N contacts through the six-node journey on `processes` runtime processes. */
export async function runJourney(
  ctx: BenchContext,
  options: { contacts: number; processes: number },
): Promise<JourneyResult> {
  const n = options.contacts;
  const db = await createDatabase(ctx.serverUrl);
  const sink = await startSink();
  let procs: RuntimeProcess[] = [];
  try {
    procs = await startRuntimes(options.processes, { DATABASE_URL: db.url, SMTP_URL: sink.url });
    const base = (procs[0] as RuntimeProcess).url;
    await publishJourney(base, sixNodeJourney);
    await insertContacts(db.sql, n);
    const cpuBefore = procs.reduce((a, p) => a + p.cpuMs(), 0);
    const noneDue = async () =>
      (await db.sql`select not exists (select 1 from journey_states where wake_at <= now()) as done`)[0]?.done === true;

    // Phase 1: enrolment.
    await db.sql`
      insert into events (workspace_id, contact_id, name, at, properties)
      select 'default', 'c' || i, 'signed_up', now(), '{}' from generate_series(0, ${n - 1}::int) i`;
    await db.sql`select pg_notify('waymark_scheduler', '')`;
    let started = performance.now();
    const enrol = await until(
      async () =>
        (await db.sql`select not exists (select 1 from events where processed_at is null) as done`)[0]?.done === true,
      started,
      'enrolment',
    );
    ctx.log(`  ${options.processes} proc: enrolled ${n} in ${enrol.toFixed(2)} s`);

    // Phase 2: w1 → condition → send → w2, and the emails.
    await advanceTime(db.sql);
    started = performance.now();
    const second = await until(noneDue, started, 'the first timers');
    const emailSeconds = await until(async () => (await sink.count()) >= n, started, 'the emails', 30 * 60_000, 100);
    ctx.log(`  ${options.processes} proc: timers ${second.toFixed(2)} s, emails ${emailSeconds.toFixed(2)} s`);

    // Phase 3: w2 → exit.
    await advanceTime(db.sql);
    started = performance.now();
    const third = await until(noneDue, started, 'the second timers');
    ctx.log(`  ${options.processes} proc: exits ${third.toFixed(2)} s`);
    const cpuMs = procs.reduce((a, p) => a + p.cpuMs(), 0) - cpuBefore;

    const [counted] = await db.sql<{ left: string; exited: string }[]>`
      select (select coalesce(sum(count), 0) from node_stats where metric = 'left') as left,
             (select count(*) from journey_states where node is null) as exited`;
    const transitions = Number(counted?.left);
    if (transitions !== n * transitionsPerContact || Number(counted?.exited) !== n)
      throw new Error(`journey: ${transitions} transitions and ${counted?.exited} exits for ${n} contacts`);
    const seconds = enrol + second + third;
    return {
      contacts: n,
      processes: options.processes,
      transitions,
      seconds,
      phases: [enrol, second, third],
      emails: await sink.count(),
      emailSeconds,
      cpuMsPerTransition: cpuMs / transitions,
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await sink.close();
    await db.drop();
  }
}

function figures(r: JourneyResult, suffix: string): Figures {
  return {
    [`journey_transitions_per_s${suffix}`]: rate(r.transitions, r.seconds),
    [`journey_enrolments_per_s${suffix}`]: rate(r.contacts, r.phases[0] as number),
    [`journey_timer_transitions_per_s${suffix}`]: rate(
      r.transitions - r.contacts,
      (r.phases[1] as number) + (r.phases[2] as number),
    ),
    [`journey_emails_per_s${suffix}`]: rate(r.emails, r.emailSeconds),
    [`journey_runtime_cpu_ms_per_transition${suffix}`]: Number(r.cpuMsPerTransition.toFixed(4)),
    [`journey_seconds${suffix}`]: Number(r.seconds.toFixed(2)),
  };
}

export const journeyContacts = (ctx: BenchContext) => (ctx.tiny ? 200 : ctx.quick ? 5_000 : 100_000);

export const journeyScenario: Scenario = {
  name: 'journey throughput, 1 runtime process',
  async run(ctx) {
    const r = await runJourney(ctx, { contacts: journeyContacts(ctx), processes: 1 });
    return { journey_contacts: r.contacts, ...figures(r, '') };
  },
};

export const journey2Scenario: Scenario = {
  name: 'journey throughput, 2 runtime processes',
  async run(ctx) {
    const r = await runJourney(ctx, { contacts: journeyContacts(ctx), processes: 2 });
    return figures(r, '_2proc');
  },
};
