import {
  createLogger,
  type RunningRuntime,
  type RuntimeConfig,
  type RuntimeOverrides,
  startRuntime,
} from '@waymark/runtime';
import { startTestSmtp, testBackends } from '@waymark/runtime/testing';
import { afterAll, beforeAll } from 'vitest';
import { rowsOf } from '../../apps/runtime/src/db/rows.ts';

/** The database kinds every runtime suite runs against. */
export type DatabaseKind = 'pglite' | 'postgres';

/** The test backends by name; Postgres is skipped (shown as such) without TEST_DATABASE_URL. */
export const backend = (kind: DatabaseKind) =>
  testBackends.find((b) => b.name === kind) as (typeof testBackends)[number];

/** A runtime on a fresh database, with a small HTTP client bound to its default API key. */
export interface TestRuntime {
  runtime: RunningRuntime;
  url: string;
  apiKey: string;
  /** Calls the API; returns status and parsed JSON. */
  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    options?: { key?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T }>;
  /**
   * Stops the runtime and starts a new one on the same database and configuration, as after a deploy:
   * nothing held in memory (caches, timers) survives; `runtime`, `url` and `api` then address the new one.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Configuration for a test runtime: port 0, quiet logs, workers on, the given SMTP server, and AI
 * models never downloaded (tests name a models folder, or see `model_unavailable`).
 */
export function testConfig(overrides: Partial<RuntimeConfig> = {}): RuntimeConfig {
  return {
    port: 0,
    dataDir: '',
    databaseUrl: undefined,
    smtpUrl: undefined,
    devSmtpPort: 0,
    publicUrl: 'http://localhost:0',
    apiKey: undefined,
    fromAddress: 'Waymark Test <test@waymark.localhost>',
    nodePackages: [],
    editorDir: '/nonexistent',
    logLevel: 'silent',
    workers: true,
    deliveryLeaseMs: 300_000,
    embedOrigins: [],
    modelsOffline: true,
    ...overrides,
  };
}

/** Starts a runtime on a fresh PGlite or Postgres database. */
export async function startTestRuntime(
  kind: DatabaseKind,
  config: Partial<RuntimeConfig> = {},
  overrides: RuntimeOverrides = {},
): Promise<TestRuntime> {
  const database = await backend(kind).open();
  const apiKey = `wm_test_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const start = () =>
    startRuntime(testConfig({ apiKey, ...config }), {
      database,
      log: createLogger(process.env.WAYMARK_TEST_LOGS ? 'info' : 'silent'),
      ...overrides,
    });
  let runtime = await start();
  return {
    get runtime() {
      return runtime;
    },
    get url() {
      return runtime.url;
    },
    apiKey,
    async api(method, path, body, options = {}) {
      const res = await fetch(`${runtime.url}${path}`, {
        method,
        headers: {
          ...(options.key === '' ? {} : { authorization: `Bearer ${options.key ?? apiKey}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.headers ?? {}),
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      if (process.env.WAYMARK_TEST_LOGS)
        process.stderr.write(`${method} ${path} -> ${res.status} ${text.slice(0, 160)}\n`);
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed as never };
    },
    async restart() {
      await runtime.stop();
      runtime = await start();
    },
    async stop() {
      await runtime.stop();
      await database.close();
    },
  };
}

/** Runs a raw query on the runtime's database and returns its rows, whichever driver ran it. */
export async function queryRows<T>(
  t: TestRuntime,
  query: Parameters<TestRuntime['runtime']['services']['db']['execute']>[0],
): Promise<T[]> {
  return rowsOf<T>(await t.runtime.services.db.execute(query));
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** What {@link useTestRuntime} hands a suite: the runtime and its SMTP sink once started. */
export interface SuiteRuntime {
  /** True when this database kind is not available here (the suite's tests show as skipped). */
  skip: boolean;
  readonly t: TestRuntime;
  readonly smtp: Awaited<ReturnType<typeof startTestSmtp>>;
}

/**
 * Starts a runtime (and, with `smtp`, a real SMTP sink it sends to) before the suite's tests and
 * stops both after them; skipped, not faked, when the database kind is unavailable.
 */
export function useTestRuntime(
  kind: DatabaseKind,
  options: { smtp?: boolean; config?: Partial<RuntimeConfig>; overrides?: RuntimeOverrides } = {},
): SuiteRuntime {
  const skip = backend(kind).skip;
  let t: TestRuntime | undefined;
  let smtp: Awaited<ReturnType<typeof startTestSmtp>> | undefined;
  beforeAll(async () => {
    if (skip) return;
    if (options.smtp) smtp = await startTestSmtp();
    t = await startTestRuntime(
      kind,
      { ...(smtp ? { smtpUrl: smtp.url } : {}), ...(options.config ?? {}) },
      options.overrides,
    );
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await smtp?.close();
  });
  return {
    skip,
    get t() {
      if (!t) throw new Error('the test runtime is not running');
      return t;
    },
    get smtp() {
      if (!smtp) throw new Error('this suite started no SMTP sink');
      return smtp;
    },
  };
}
