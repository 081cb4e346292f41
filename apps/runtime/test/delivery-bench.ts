/**
 * Email delivery throughput: N outbox rows → rendered, sent over pooled SMTP to a local sink,
 * settled. Prints one JSON line. Never fails on a timing (this machine is shared and noisy).
 *
 *   npx tsx apps/runtime/test/delivery-bench.ts [--n=5000] [--sink=process|dev] [--postgres]
 *
 * `--sink=process` (default) receives in a child process that only counts, so the runtime keeps
 * its own core; `--sink=dev` uses the built-in development sink in this process (stores every
 * message in dev_inbox), as `start` without SMTP_URL does. `--postgres` uses a fresh database on
 * the server of TEST_DATABASE_URL instead of in-memory PGlite.
 */
import { fork } from 'node:child_process';
import { cpus } from 'node:os';
import { count, eq } from 'drizzle-orm';
import { type Database, notify } from '../src/db/client.ts';
import { deliveryChannel } from '../src/db/events.ts';
import { contacts, outbox } from '../src/db/schema.ts';
import { createDelivery } from '../src/delivery/worker.ts';
import { startDevSmtp } from '../src/dev-smtp/server.ts';
import { testBackends } from '../src/testing/databases.ts';
import { addTemplate, addWorkspace, uid } from '../src/testing/fixtures.ts';
import { testServices } from '../src/testing/services.ts';

const arg = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const n = Number(arg('n', '5000'));
const sinkKind = arg('sink', 'process');
const usePostgres = process.argv.includes('--postgres');

/** A counting SMTP sink in a child process; resolves with its port. */
function childSink(): Promise<{ port: number; close(): void }> {
  const child = fork(new URL('./delivery-bench-sink.ts', import.meta.url), { execArgv: ['--import', 'tsx'] });
  return new Promise((resolve) => {
    child.once('message', (m) => resolve({ port: (m as { port: number }).port, close: () => child.kill() }));
  });
}

const backend = testBackends.find((b) => b.name === (usePostgres ? 'postgres' : 'pglite'));
if (!backend || backend.skip) throw new Error('--postgres needs TEST_DATABASE_URL');
const database: Database = await backend.open();
const services = await testServices(database);
const dev = sinkKind === 'dev' ? await startDevSmtp(database.db, { port: 0, secret: services.secrets.links }) : null;
const sink = dev ?? (await childSink());

const ws = await addWorkspace(services.db, { sendRatePerSecond: 100_000 });
const template = await addTemplate(services.db, ws);
for (let i = 0; i < n; i += 1000) {
  const ids = Array.from({ length: Math.min(1000, n - i) }, () => uid('c'));
  await services.db
    .insert(contacts)
    .values(ids.map((id) => ({ workspaceId: ws, id, email: `${id}@example.test`, attributes: { first_name: id } })));
  await services.db.insert(outbox).values(
    ids.map((id) => ({
      workspaceId: ws,
      key: uid('k'),
      kind: 'email',
      journeyId: 'j',
      versionId: 'v',
      runId: uid('r'),
      contactId: id,
      node: 'send',
      payload: { template },
    })),
  );
}

const delivery = createDelivery(services, {
  smtpUrl: `smtp://127.0.0.1:${sink.port}`,
  maxConnections: 8,
  ...(dev ? { devSinkSecret: services.secrets.links } : {}),
});
const started = performance.now();
const cpuBefore = process.cpuUsage();
await delivery.start();
await notify(services.db, deliveryChannel);
const sent = async () =>
  (await services.db.select({ n: count() }).from(outbox).where(eq(outbox.status, 'sent')))[0]?.n ?? 0;
while ((await sent()) < n) await new Promise((r) => setTimeout(r, 50));
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
await delivery.stop();
await dev?.close();
if (!dev) (sink as { close(): void }).close();
await database.close();

process.stdout.write(
  `${JSON.stringify({
    time: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    database: backend.name,
    sink: sinkKind,
    emails: n,
    seconds: Number(seconds.toFixed(2)),
    emails_per_s: Math.round(n / seconds),
    // CPU of this process (render, SMTP client, queries) per email: steadier than the rate on a busy machine.
    cpu_ms_per_email: Number(((cpu.user + cpu.system) / 1000 / n).toFixed(3)),
    target_emails_per_s: 1000,
  })}\n`,
);
