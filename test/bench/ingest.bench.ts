/**
 * Event ingestion: events per second accepted by `POST /v1/events` (202) in batches of 1, 100 and
 * 1,000, each event for a new contact (upserted with its email and attributes) that the event enrols
 * into the six-node journey — the scheduler enrols them in the same process while requests come in.
 * Bodies are serialised before the clock starts; a few requests are kept in flight.
 *
 * Baseline: the same writes (contacts upserted, events inserted, scheduler notified) in batches of
 * 1,000 straight through postgres.js, two loops, while the same runtime process enrols.
 */
import postgres from 'postgres';
import {
  type BenchContext,
  createDatabase,
  eventBodies,
  type Figures,
  postEvents,
  publishJourney,
  type RuntimeProcess,
  rate,
  type Scenario,
  sixNodeJourney,
  startRuntimes,
  startSink,
  until,
} from './support.ts';

const inFlight: Record<number, number> = { 1: 16, 100: 4, 1000: 2 };

export async function runIngest(ctx: BenchContext, totals: Record<1 | 100 | 1000, number>, rawTotal: number) {
  const db = await createDatabase(ctx.serverUrl);
  const sink = await startSink();
  let procs: RuntimeProcess[] = [];
  try {
    procs = await startRuntimes(1, { DATABASE_URL: db.url, SMTP_URL: sink.url });
    const base = (procs[0] as RuntimeProcess).url;
    await publishJourney(base, sixNodeJourney);
    const drained = async () =>
      (await db.sql`select not exists (select 1 from events where processed_at is null) as done`)[0]?.done === true;
    const figures: Figures = {};
    // Warm-up: JIT, connection pools, prepared statements.
    await postEvents(base, eventBodies(100, 1_000, 'warm'), 2);
    await until(drained, performance.now(), 'warm-up enrolment');
    for (const batch of [1, 100, 1000] as const) {
      const list = eventBodies(batch, totals[batch], `b${batch}`);
      const seconds = await postEvents(base, list, inFlight[batch] as number);
      figures[`events_per_s_batch${batch}`] = rate(totals[batch], seconds);
      const lag = await until(drained, performance.now(), 'enrolment after ingestion');
      ctx.log(
        `  batch ${batch}: ${totals[batch]} events in ${seconds.toFixed(2)} s; enrolment done ${lag.toFixed(2)} s later`,
      );
    }

    // Baseline: the same rows straight into Postgres.
    const sql = postgres(db.url, { max: 2, onnotice: () => {} });
    try {
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: 2 }, async () => {
          while (next < rawTotal) {
            const from = next;
            next += 1000;
            const ids = Array.from({ length: Math.min(1000, rawTotal - from) }, (_, k) => `raw_${from + k}`);
            const attrs = ids.map((id) => JSON.stringify({ plan: 'pro', first_name: id }));
            await sql.begin(async (tx) => {
              await tx`
                insert into contacts (workspace_id, id, email, attributes)
                select 'default', v.id, v.id || '@bench.test', v.a::jsonb
                from unnest(${ids}::text[], ${attrs}::text[]) as v(id, a)
                on conflict (workspace_id, id) do update set
                  email = coalesce(excluded.email, contacts.email),
                  attributes = contacts.attributes || excluded.attributes, updated_at = now()`;
              await tx`
                insert into events (workspace_id, contact_id, name, at, properties)
                select 'default', id, 'signed_up', now(), '{"source":"bench"}' from unnest(${ids}::text[]) as id`;
              await tx`select pg_notify('waymark_scheduler', '')`;
            });
          }
        }),
      );
      figures.raw_limit_events_per_s_batch1000 = rate(rawTotal, (performance.now() - started) / 1000);
    } finally {
      await sql.end({ timeout: 5 });
    }
    await until(drained, performance.now(), 'enrolment after the raw baseline');
    return figures;
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await sink.close();
    await db.drop();
  }
}

export const ingestScenario: Scenario = {
  name: 'event ingestion (POST /v1/events, with enrolment)',
  async run(ctx) {
    const totals = ctx.tiny
      ? { 1: 20, 100: 200, 1000: 2_000 }
      : ctx.quick
        ? { 1: 500, 100: 5_000, 1000: 10_000 }
        : { 1: 3_000, 100: 30_000, 1000: 100_000 };
    return runIngest(ctx, totals, totals[1000]);
  },
};
