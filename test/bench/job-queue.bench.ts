/**
 * The job-queue baseline: graphile-worker (a well-known Postgres job queue, from npm) running the same
 * six-node journey as one job per journey step. Each job, in one transaction, reads the contact (and
 * locks its state row), writes the same state JSON Waymark writes, inserts the outbox row at the send
 * step, and adds the job of the next step (an hour later after a wait). The same three phases as
 * journey.bench.ts; time is advanced by making the waiting jobs due now.
 *
 * Configuration: graphile-worker's batching options on (local queue of 500 jobs, batched
 * completions), 16 concurrent jobs, in one Node process — what its performance guide recommends for
 * throughput. It runs in the benchmark's own process (the runner does nothing else meanwhile).
 */
import { type JobHelpers, Logger, run, runMigrations, type Task } from 'graphile-worker';
import {
  advanceTime,
  type BenchContext,
  type BenchDatabase,
  createDatabase,
  type Figures,
  rate,
  type Scenario,
  transitionsPerContact,
  until,
} from './support.ts';
import { prepareWaymarkSchema, stateAt } from './workload.ts';

const hour = 3_600_000;
const quiet = new Logger(() => (level, message) => {
  if (level === 'error' && process.env.WAYMARK_BENCH_LOGS) process.stderr.write(`graphile-worker: ${message}\n`);
});
/** Where each step goes next: node after, visit number, and whether it waits an hour first. */
const after: Record<string, { next: string | null; seq: number; wait: boolean }> = {
  start: { next: 'w1', seq: 1, wait: true },
  w1: { next: 'pro', seq: 2, wait: false },
  pro: { next: 'send', seq: 3, wait: false },
  send: { next: 'w2', seq: 4, wait: true },
  w2: { next: 'done', seq: 5, wait: false },
  done: { next: null, seq: 6, wait: false },
};

type PoolClient = Parameters<Parameters<JobHelpers['withPgClient']>[0]>[0];
const q = (client: PoolClient, name: string, text: string, values: unknown[]) => client.query({ name, text, values });

/** One journey step as one job. */
const step: Task = async (payload, helpers) => {
  const { c, n } = payload as { c: string; n: string };
  const move = after[n];
  if (!move) throw new Error(`unknown node ${n}`);
  await helpers.withPgClient(async (client) => {
    await client.query('begin');
    try {
      const now = Date.now();
      const { rows } = await q(
        client,
        'contact',
        `select c.attributes, s.node from contacts c
         left join journey_states s on s.workspace_id = c.workspace_id and s.journey_id = 'bench6' and s.contact_id = c.id
         where c.workspace_id = 'default' and c.id = $1 for update of c`,
        [c],
      );
      const attributes = (rows[0]?.attributes ?? {}) as Record<string, unknown>;
      let target = move.next;
      if (n === 'pro' && attributes.plan !== 'pro') target = 'w2';
      const wakeAt = move.wait ? now + hour : undefined;
      await q(
        client,
        'state',
        `insert into journey_states (workspace_id, journey_id, contact_id, version_id, state, node, wake_at, updated_at)
         values ('default', 'bench6', $1, 'v1', $2, $3, $4, now())
         on conflict (workspace_id, journey_id, contact_id) do update set
           state = excluded.state, node = excluded.node, wake_at = excluded.wake_at, updated_at = excluded.updated_at`,
        [c, JSON.stringify(stateAt(c, target, move.seq, now, wakeAt)), target, wakeAt ? new Date(wakeAt) : null],
      );
      if (n === 'send') {
        await q(
          client,
          'outbox',
          `insert into outbox (workspace_id, key, kind, journey_id, version_id, run_id, contact_id, node, payload)
           values ('default', $1, 'email', 'bench6', 'v1', $2, $3, 'send', '{"kind":"email","template":"bench"}')
           on conflict do nothing`,
          [`${c}:1:send:3`, `${c}:1`, c],
        );
      }
      if (target !== null)
        await q(client, 'next', `select graphile_worker.add_job('step', $1::json, run_at => $2)`, [
          JSON.stringify({ c, n: target }),
          wakeAt ? new Date(wakeAt) : new Date(now),
        ]);
      await client.query('commit');
    } catch (e) {
      await client.query('rollback');
      throw e;
    }
  });
};

/**
 * Stops graphile-worker and waits until its pool's connections are really closed: dropping the
 * database (with force) while they are still closing terminates them, and their pool reports that as
 * an unhandled error. The bench's own postgres.js connections are the only ones left.
 */
async function stopRunner(runner: Awaited<ReturnType<typeof run>>, sql: BenchDatabase['sql']) {
  await runner.stop();
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const [row] = await sql<{ others: string }[]>`
      select count(*) as others from pg_stat_activity
      where datname = current_database() and application_name <> 'postgres.js'`;
    if (Number(row?.others) === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `contacts` contacts through the journey as graphile-worker jobs; transitions and seconds. */
export async function runJobQueue(ctx: BenchContext, options: { contacts: number; concurrency?: number }) {
  const n = options.contacts;
  const db = await createDatabase(ctx.serverUrl);
  let runner: Awaited<ReturnType<typeof run>> | undefined;
  try {
    await prepareWaymarkSchema(db.url, db.sql, n);
    const concurrency = options.concurrency ?? 16;
    // Migrate graphile-worker's schema and queue the enrolment jobs before the clock starts.
    await runMigrations({ connectionString: db.url, logger: quiet });
    await db.sql`
      select graphile_worker.add_job('step', json_build_object('c', 'c' || i, 'n', 'start'))
      from generate_series(0, ${n - 1}::int) i`;
    const jobsDue = async () =>
      (await db.sql`select not exists (select 1 from graphile_worker._private_jobs where run_at <= now()) as done`)[0]
        ?.done === true;
    const makeDue = async () => {
      await db.sql`update graphile_worker._private_jobs set run_at = now() where run_at > now()`;
      await db.sql`select pg_notify('jobs:insert', '{"count": 1000}')`;
      // Keep journey_states consistent with the queue (not needed by the jobs; same cost as Waymark's setup).
      await advanceTime(db.sql);
    };
    let started = performance.now();
    runner = await run({
      connectionString: db.url,
      concurrency,
      maxPoolSize: concurrency + 4,
      pollInterval: 100,
      noHandleSignals: true,
      taskList: { step },
      logger: quiet,
      preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    });
    const phases = [await until(jobsDue, started, 'graphile-worker enrolment', 60 * 60_000, 100)];
    ctx.log(`  graphile-worker: enrolled ${n} in ${(phases[0] as number).toFixed(2)} s`);
    await makeDue();
    started = performance.now();
    phases.push(await until(jobsDue, started, 'graphile-worker first timers', 60 * 60_000, 100));
    await makeDue();
    started = performance.now();
    phases.push(await until(jobsDue, started, 'graphile-worker second timers', 60 * 60_000, 100));
    await stopRunner(runner, db.sql);
    runner = undefined;
    const [counted] = await db.sql<{ exited: string; emails: string }[]>`
      select (select count(*) from journey_states where node is null) as exited,
             (select count(*) from outbox) as emails`;
    if (Number(counted?.exited) !== n) throw new Error(`graphile-worker: ${counted?.exited} of ${n} contacts exited`);
    const seconds = phases.reduce((a, b) => a + b, 0);
    return { transitions: n * transitionsPerContact, seconds, phases, emails: Number(counted?.emails) };
  } finally {
    if (runner) await stopRunner(runner, db.sql);
    await db.drop();
  }
}

export const jobQueueScenario: Scenario = {
  name: 'job-queue baseline (graphile-worker, one job per step)',
  async run(ctx): Promise<Figures> {
    // Fewer contacts than the journey scenario: a rate, not a total, and one job per step is slow.
    const contacts = ctx.tiny ? 100 : ctx.quick ? 1_000 : 10_000;
    const r = await runJobQueue(ctx, { contacts });
    return {
      job_queue_contacts: contacts,
      job_queue_transitions_per_s: rate(r.transitions, r.seconds),
      job_queue_seconds: Number(r.seconds.toFixed(2)),
    };
  },
};
