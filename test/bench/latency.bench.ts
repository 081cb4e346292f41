/**
 * Latency: from an event sent to `POST /v1/events` to the SMTP sink having completed DATA for the
 * email it triggers (journey trigger → send → exit), at a steady rate (500 events per second by
 * default), one event per request as independent clients would send them. The clock starts when the
 * request is sent (so the API's own time counts too) and stops at the sink, in another process on the
 * same machine (same clock). The first seconds at the same rate warm the system up and are not
 * counted (measured before this warm-up existed: the first 2–3 s of a cold process at 500/s built a
 * backlog of 1–2 s that took the rest of a 15 s run to drain, while the steady state was ~70–200 ms).
 * `WAYMARK_BENCH_LATENCY_TRACE=1` prints the figures per second of the run.
 */
import {
  apiKey,
  type BenchContext,
  createDatabase,
  type Figures,
  insertContacts,
  instantJourney,
  percentile,
  publishJourney,
  type RuntimeProcess,
  type Scenario,
  sleep,
  startRuntimes,
  startSink,
  until,
} from './support.ts';

export async function runLatency(
  ctx: BenchContext,
  options: { perSecond: number; seconds: number; warmSeconds: number; processes?: number },
) {
  // The first `warm` events run at the same rate and are not measured: the measured window starts in
  // the steady state (JIT done, pools and SMTP connections open) with no idle gap before it.
  const warm = Math.round(options.perSecond * options.warmSeconds);
  const total = Math.round(options.perSecond * options.seconds);
  const all = warm + total;
  const db = await createDatabase(ctx.serverUrl);
  const sink = await startSink();
  let procs: RuntimeProcess[] = [];
  try {
    procs = await startRuntimes(options.processes ?? 1, { DATABASE_URL: db.url, SMTP_URL: sink.url });
    const base = (procs[0] as RuntimeProcess).url;
    await publishJourney(base, instantJourney);
    // With several processes, requests go to each in turn (as a load balancer would).
    const urls = procs.map((p) => p.url);
    await insertContacts(db.sql, all);
    const acceptedAt: number[] = [];
    const send = (i: number) =>
      fetch(`${urls[i % urls.length]}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ contactId: `c${i}`, event: 'ordered' }),
      }).then(async (res) => {
        acceptedAt[i] = Date.now();
        const text = await res.text();
        if (res.status !== 202) throw new Error(`POST /v1/events: ${res.status} ${text.slice(0, 300)}`);
      });

    // Steady rate: every millisecond or so, send what the schedule says should have been sent by now.
    const sentAt = new Array<number>(all);
    const requests: Promise<void>[] = [];
    const started = performance.now();
    let measuredFrom = started;
    let i = 0;
    while (i < all) {
      const due = Math.min(all, Math.floor(((performance.now() - started) / 1000) * options.perSecond) + 1);
      for (; i < due; i++) {
        if (i === warm) measuredFrom = performance.now();
        sentAt[i] = Date.now();
        requests.push(send(i));
      }
      await sleep(1);
    }
    await Promise.all(requests);
    const sendSeconds = (performance.now() - measuredFrom) / 1000;
    await until(async () => (await sink.count()) >= all, performance.now(), 'the emails', 5 * 60_000, 100);
    const times = await sink.times();
    const latencies: number[] = [];
    const accepted: number[] = [];
    for (let k = warm; k < all; k++) {
      const at = times[`c${k}@bench.test`];
      if (at === undefined) throw new Error(`latency: no email reached the sink for c${k}`);
      latencies.push(at - (sentAt[k] as number));
      accepted.push((acceptedAt[k] ?? 0) - (sentAt[k] as number));
    }
    if (process.env.WAYMARK_BENCH_LATENCY_TRACE) {
      // Per second of the measured window: a backlog shows as rising figures, stalls as spikes.
      const t0 = sentAt[warm] as number;
      const bySecond = new Map<number, { sent: number[]; accepted: number[] }>();
      latencies.forEach((l, j) => {
        const sec = Math.floor(((sentAt[warm + j] as number) - t0) / 1000);
        const entry = bySecond.get(sec) ?? { sent: [], accepted: [] };
        entry.sent.push(l);
        entry.accepted.push(accepted[j] as number);
        bySecond.set(sec, entry);
      });
      for (const [sec, e] of bySecond)
        ctx.log(
          `  second ${sec}: to send p50 ${percentile(e.sent, 50)} ms, max ${Math.max(...e.sent)} ms; accepted p50 ${percentile(e.accepted, 50)} ms`,
        );
    }
    const suffix = (options.processes ?? 1) > 1 ? `_${options.processes}proc` : '';
    const figures: Figures = {
      [`latency_events${suffix}`]: total,
      [`latency_events_per_s${suffix}`]: Math.round(total / sendSeconds),
      [`p50_event_to_send_ms${suffix}`]: Math.round(percentile(latencies, 50)),
      [`p95_event_to_send_ms${suffix}`]: Math.round(percentile(latencies, 95)),
      [`p99_event_to_send_ms${suffix}`]: Math.round(percentile(latencies, 99)),
      [`max_event_to_send_ms${suffix}`]: Math.round(Math.max(...latencies)),
      [`p99_event_accepted_ms${suffix}`]: Math.round(percentile(accepted, 99)),
    };
    return figures;
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await sink.close();
    await db.drop();
  }
}

const latencyLoad = (ctx: BenchContext) =>
  ctx.tiny
    ? { perSecond: 100, seconds: 1, warmSeconds: 0.5 }
    : { perSecond: 500, seconds: ctx.quick ? 3 : 30, warmSeconds: ctx.quick ? 2 : 10 };

export const latencyScenario: Scenario = {
  name: 'latency, event accepted → SMTP DATA completed, 1 runtime process',
  run: (ctx) => runLatency(ctx, latencyLoad(ctx)),
};

export const latency2Scenario: Scenario = {
  name: 'latency, event accepted → SMTP DATA completed, 2 runtime processes',
  run: (ctx) => runLatency(ctx, { ...latencyLoad(ctx), processes: 2 }),
};
