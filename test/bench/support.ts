/**
 * Shared pieces of the benchmark scenarios: a fresh Postgres database per scenario, the counting SMTP
 * sink in a child process, runtime processes started as `pnpm start` starts them, the 6-node journey
 * every throughput scenario runs, and the "time machine" that makes waiting runs due.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';

/** What every scenario gets from the runner. */
export interface BenchContext {
  /** A Postgres server URL; scenarios create (and drop) their own databases on it. */
  serverUrl: string;
  /** `--quick`: small counts for CI. */
  quick: boolean;
  /** Smallest counts that still run every code path (the vitest smoke test). */
  tiny: boolean;
  /** Progress lines (stderr). */
  log(message: string): void;
}

/** A scenario's result: flat figures merged into the report. */
export type Figures = Record<string, number | string | boolean>;

/** A benchmark scenario module's export. */
export interface Scenario {
  name: string;
  run(ctx: BenchContext): Promise<Figures>;
}

export const root = join(import.meta.dirname, '../..');
/**
 * The checkout whose runtime the scenarios start: this one, or `WAYMARK_BENCH_RUNTIME_ROOT` (e.g. a
 * `git worktree` of an older commit with its node_modules linked) to measure before/after a change
 * with the same benchmark code.
 */
export const runtimeRoot = process.env.WAYMARK_BENCH_RUNTIME_ROOT ?? root;
export const apiKey = `wm_bench_${randomBytes(12).toString('hex')}`;

/** Rounds a rate for the report. */
export const rate = (count: number, seconds: number) => (seconds > 0 ? Math.round(count / seconds) : 0);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh database on the server; `drop()` removes it (with force). */
export interface BenchDatabase {
  name: string;
  url: string;
  sql: postgres.Sql;
  drop(): Promise<void>;
}

export async function createDatabase(serverUrl: string, prefix = 'wm_bench'): Promise<BenchDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 4, onnotice: () => {} });
  return {
    name,
    url: url.toString(),
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      const a = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** The counting SMTP sink (bench-sink.ts) in its own process, so the runtime keeps its core. */
export interface Sink {
  port: number;
  url: string;
  /** Messages whose DATA completed so far. */
  count(): Promise<number>;
  /** Epoch ms at which DATA completed, per recipient (the first message to each). */
  times(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export function startSink(): Promise<Sink> {
  const child = fork(join(import.meta.dirname, 'bench-sink.ts'), [], {
    execArgv: ['--import', 'tsx'],
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let next = 0;
  const waiting = new Map<number, (v: unknown) => void>();
  const ask = <T>(what: string) =>
    new Promise<T>((resolve) => {
      const id = next++;
      waiting.set(id, resolve as (v: unknown) => void);
      child.send({ id, what });
    });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (m: { port?: number; id?: number; value?: unknown }) => {
      if (m.port !== undefined) {
        const port = m.port;
        resolve({
          port,
          url: `smtp://127.0.0.1:${port}`,
          count: () => ask<number>('count'),
          times: () => ask<Record<string, number>>('times'),
          close: () =>
            new Promise<void>((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
        return;
      }
      if (m.id !== undefined) {
        waiting.get(m.id)?.(m.value);
        waiting.delete(m.id);
      }
    });
  });
}

/** A runtime process started like `pnpm start` (apps/runtime/src/main.ts), with workers on. */
export interface RuntimeProcess {
  child: ChildProcess;
  url: string;
  /** CPU time the process used (user + system), ms; read from /proc. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Set when a runtime process exits without being asked to; `until` then fails instead of waiting. */
let crashed: string | undefined;

export function startRuntimeProcess(env: Record<string, string>): Promise<RuntimeProcess> {
  const child = spawn(
    process.execPath,
    [...profileArgs(), '--import', 'tsx', join(runtimeRoot, 'apps/runtime/src/main.ts')],
    {
      cwd: runtimeRoot,
      env: { ...process.env, ...env, PORT: '0', WAYMARK_LOG_LEVEL: 'warn', WAYMARK_API_KEY: apiKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runtime did not start:\n${log.join('')}`)), 90_000);
    child.stderr?.on('data', (d: Buffer) => {
      log.push(d.toString());
      if (process.env.WAYMARK_BENCH_LOGS) process.stderr.write(d);
    });
    child.stdout?.on('data', (d: Buffer) => {
      const text = d.toString();
      log.push(text);
      const m = /Waymark is running at (http:\/\/\S+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        let stopping = false;
        child.once('exit', (code) => {
          if (!stopping) crashed = `a runtime process exited with ${code}:\n${log.join('').slice(-4000)}`;
        });
        resolve({
          child,
          url: m[1] as string,
          cpuMs: () => processCpuMs(child.pid),
          stop: () =>
            new Promise<void>((done) => {
              stopping = true;
              if (child.exitCode !== null) return done();
              const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
              child.once('exit', () => {
                clearTimeout(kill);
                done();
              });
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`runtime exited with ${code}:\n${log.join('')}`)));
  });
}

/** `WAYMARK_BENCH_CPU_PROF=dir` profiles the runtime processes (node --cpu-prof) into `dir`. */
function profileArgs(): string[] {
  const dir = process.env.WAYMARK_BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** CPU ms of a process from /proc (Linux); 0 elsewhere. */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100;
  } catch {
    return 0;
  }
}

/** Starts `n` runtime processes on one database; the first migrates, the others start at once. */
export async function startRuntimes(n: number, env: Record<string, string>): Promise<RuntimeProcess[]> {
  const first = await startRuntimeProcess(env);
  const rest = await Promise.all(Array.from({ length: n - 1 }, () => startRuntimeProcess(env)));
  return [first, ...rest];
}

/** Calls the runtime's API with the bench API key; throws on a non-2xx answer. */
export async function api<T = unknown>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * `POST /v1/events` bodies, serialised before the clock starts: `total` events in batches of `batch`, each
 * for a new contact (`<tag>_<k>`, with email and attributes) signing up; a batch of 1 is a single event.
 */
export function eventBodies(batch: number, total: number, tag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < total; i += batch) {
    const events = [];
    for (let k = i; k < Math.min(total, i + batch); k++) {
      const id = `${tag}_${k}`;
      events.push({
        contactId: id,
        email: `${id}@bench.test`,
        event: 'signed_up',
        attributes: { plan: 'pro', first_name: `Ann ${k}` },
        properties: { source: 'bench' },
      });
    }
    out.push(JSON.stringify(batch === 1 ? events[0] : { events }));
  }
  return out;
}

/** Posts every body to `POST /v1/events` with `parallel` requests in flight, each answered 202; returns seconds. */
export async function postEvents(url: string, bodies: string[], parallel: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < bodies.length) {
        const res = await fetch(`${url}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: bodies[next++] as string,
        });
        const text = await res.text();
        if (res.status !== 202) throw new Error(`POST /v1/events: ${res.status} ${text.slice(0, 300)}`);
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

/** The email template of every scenario: MJML with merge tags, a tracked link and an unsubscribe link. */
export const benchTemplate = {
  id: 'bench',
  name: 'Bench',
  subject: 'Hello {{ contact.first_name }}',
  mjml: `<mjml><mj-body><mj-section><mj-column>
<mj-text>Hello {{ contact.first_name | default: "there" }}!</mj-text>
<mj-button href="https://shop.example/offer?c={{ contact.id }}">See the offer</mj-button>
<mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text>
</mj-column></mj-section></mj-body></mjml>`,
};

/** trigger → wait → condition → send → wait → exit: six node transitions and one email per contact. */
export const sixNodeJourney = {
  schemaVersion: 1,
  id: 'bench6',
  nodes: [
    { id: 'start', type: 'trigger.event', config: { event: 'signed_up' } },
    { id: 'w1', type: 'flow.wait', config: { duration: 'PT1H' } },
    { id: 'pro', type: 'flow.condition', config: { if: { attribute: 'plan', op: 'eq', value: 'pro' } } },
    { id: 'send', type: 'action.sendEmail', config: { template: 'bench' } },
    { id: 'w2', type: 'flow.wait', config: { duration: 'PT1H' } },
    { id: 'done', type: 'flow.exit', config: {} },
  ],
  edges: [
    { from: 'start', to: 'w1' },
    { from: 'w1', to: 'pro' },
    { from: 'pro', port: 'yes', to: 'send' },
    { from: 'pro', port: 'no', to: 'w2' },
    { from: 'send', to: 'w2' },
    { from: 'w2', to: 'done' },
  ],
};
export const transitionsPerContact = 6;

/** trigger → send → exit, for event-to-send latency. */
export const instantJourney = {
  schemaVersion: 1,
  id: 'instant',
  nodes: [
    { id: 'start', type: 'trigger.event', config: { event: 'ordered' } },
    { id: 'send', type: 'action.sendEmail', config: { template: 'bench' } },
    { id: 'done', type: 'flow.exit', config: {} },
  ],
  edges: [
    { from: 'start', to: 'send' },
    { from: 'send', to: 'done' },
  ],
};

/** Creates the template and publishes `definition` through the API. */
export async function publishJourney(base: string, definition: { id: string }): Promise<void> {
  await api(base, 'POST', '/v1/templates', benchTemplate).catch((e: Error) => {
    if (!/409/.test(e.message)) throw e;
  });
  await api(base, 'POST', '/v1/journeys', { id: definition.id, name: definition.id, definition });
  await api(base, 'POST', `/v1/journeys/${definition.id}/publish`, {});
}

/** Inserts contacts c0…c(n-1) of the default workspace in one statement (setup, not measured). */
export async function insertContacts(sql: postgres.Sql, n: number, prefix = 'c'): Promise<void> {
  await sql`
    insert into contacts (workspace_id, id, email, attributes)
    select 'default', ${prefix} || i, ${prefix} || i || '@bench.test',
      jsonb_build_object('plan', 'pro', 'first_name', 'Ann' || i)
    from generate_series(0, ${n - 1}::int) i`;
  // Delivery's rate limit is a feature with its own tests; the bench measures the engine.
  await sql`update workspaces set send_rate_per_second = 1000000`;
}

/**
 * The time machine: makes every run waiting on a timer due now, in the column the scheduler claims
 * by and in the run state the interpreter checks, then wakes the schedulers. Returns when committed.
 */
export async function advanceTime(sql: postgres.Sql): Promise<number> {
  const rows = await sql`
    update journey_states set wake_at = now(),
      state = jsonb_set(state, '{runs,0,wakeAt}', to_jsonb((extract(epoch from now()) * 1000)::bigint))
    where wake_at is not null and jsonb_array_length(state->'runs') > 0`;
  await sql`select pg_notify('waymark_scheduler', '')`;
  return rows.count;
}

/** Polls `check` every `everyMs` until it returns true; returns the elapsed seconds since `since`. */
export async function until(
  check: () => Promise<boolean>,
  since: number,
  what: string,
  timeoutMs = 30 * 60_000,
  everyMs = 50,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (crashed) throw new Error(crashed);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
  return (performance.now() - since) / 1000;
}

/** Percentile (0–100) of a list of numbers, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = values.slice().sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}
