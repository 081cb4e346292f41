/**
 * Delivery: emails per second from pending outbox rows through a runtime process's delivery worker
 * (claim, load contacts/templates/suppressions, render MJML + Liquid, compose MIME, pooled nodemailer
 * SMTP, settle) to the SMTP sink in its own process. The rows are inserted not yet due and made due
 * at once when the clock starts.
 *
 * Baseline: nodemailer's pooled transport alone (8 connections, as the runtime's pool) sending one
 * pre-composed message of the same size in a tight loop to the same sink — the most this machine's
 * SMTP path gives.
 */
import { composeEmail } from '../../apps/runtime/src/delivery/mime.ts';
import { createSmtpTransport } from '../../apps/runtime/src/delivery/smtp.ts';
import {
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
  until,
} from './support.ts';

/** Sends `n` copies of a message of about the size the runtime sends through a fresh pooled transport. */
async function smtpRawLimit(url: string, n: number): Promise<number> {
  const transport = createSmtpTransport(url, { maxConnections: 8 });
  const html = `<!doctype html><html><body>${'<p>Hello Ann, see the offer at https://shop.example/offer</p>'.repeat(60)}</body></html>`;
  const raw = composeEmail({
    from: 'Waymark <hello@waymark.localhost>',
    to: 'someone@bench.test',
    subject: 'Hello Ann',
    html,
    text: 'Hello Ann, see the offer.\n'.repeat(40),
    messageId: '<bench@waymark.localhost>',
    date: new Date(),
    headers: { 'List-Unsubscribe': '<https://waymark.localhost/u/x>' },
  });
  try {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < n) {
          const i = next++;
          await transport.sendMail({ envelope: { from: 'hello@waymark.localhost', to: [`raw${i}@bench.test`] }, raw });
        }
      }),
    );
    return (performance.now() - started) / 1000;
  } finally {
    transport.close();
  }
}

export async function runDelivery(ctx: BenchContext, n: number): Promise<Figures> {
  const db = await createDatabase(ctx.serverUrl);
  const sink = await startSink();
  let procs: RuntimeProcess[] = [];
  try {
    procs = await startRuntimes(1, { DATABASE_URL: db.url, SMTP_URL: sink.url });
    await publishJourney((procs[0] as RuntimeProcess).url, sixNodeJourney);
    await insertContacts(db.sql, n);
    const [journey] = await db.sql<{ v: string }[]>`select live_version_id as v from journeys where id = 'bench6'`;
    await db.sql`
      insert into outbox (workspace_id, key, kind, journey_id, version_id, run_id, contact_id, node, payload, next_attempt_at)
      select 'default', 'c' || i || ':1:send:3', 'email', 'bench6', ${journey?.v ?? 'v1'}, 'c' || i || ':1', 'c' || i, 'send',
        '{"kind":"email","template":"bench"}', now() + interval '1 day'
      from generate_series(0, ${n - 1}::int) i`;
    const cpuBefore = (procs[0] as RuntimeProcess).cpuMs();
    await db.sql`update outbox set next_attempt_at = now()`;
    await db.sql`select pg_notify('waymark_delivery', '')`;
    const started = performance.now();
    const seconds = await until(async () => (await sink.count()) >= n, started, 'the emails', 30 * 60_000, 50);
    const cpuMs = (procs[0] as RuntimeProcess).cpuMs() - cpuBefore;
    const rawN = Math.max(200, Math.round(n / 2));
    const rawSeconds = await smtpRawLimit(sink.url, rawN);
    return {
      delivery_emails: n,
      emails_per_s: rate(n, seconds),
      delivery_runtime_cpu_ms_per_email: Number((cpuMs / n).toFixed(3)),
      smtp_raw_limit_emails_per_s: rate(rawN, rawSeconds),
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await sink.close();
    await db.drop();
  }
}

export const deliveryScenario: Scenario = {
  name: 'delivery (outbox → pooled SMTP → sink)',
  run: (ctx) => runDelivery(ctx, ctx.tiny ? 200 : ctx.quick ? 3_000 : 20_000),
};
