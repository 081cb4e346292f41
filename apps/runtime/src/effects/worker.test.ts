import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultRegistry, defineEffect, defineNode, nextPort, temporaryFailure } from '@waymark/nodes';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Database } from '../db/client.ts';
import { events, nodeStats, outbox } from '../db/schema.ts';
import type { Services } from '../services.ts';
import { testBackends } from '../testing/databases.ts';
import { addContact, addWorkspace, uid } from '../testing/fixtures.ts';
import { testServices } from '../testing/services.ts';
import { SecretStore } from './secret-store.ts';
import { createEffectsWorker } from './worker.ts';

const token = 'tok-very-secret-0042';

/** A package with one node type and executors that exercise every way an effect can end. */
const executors = [
  defineEffect<{ kind: 'acme.post'; path: string; [k: string]: unknown }>({
    kind: 'acme.post',
    secrets: ['acmeBaseUrl', 'acmeToken'],
    async execute(effect, { secrets, fetch, signal, key, contact }) {
      const res = await fetch(`${secrets.acmeBaseUrl}${effect.path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secrets.acmeToken}`, 'idempotency-key': key },
        body: JSON.stringify({ email: contact.email, plan: contact.attributes.plan }),
        signal,
      });
      return res.ok
        ? { ok: true, output: { status: res.status } }
        : { ok: false, error: { code: 'acme_rejected', message: `status ${res.status}` } };
    },
  }),
  defineEffect({
    kind: 'acme.crash',
    secrets: ['acmeToken'],
    execute: async (_e, { secrets }) => {
      throw new Error(`token ${secrets.acmeToken} was refused`);
    },
  }),
  defineEffect({ kind: 'acme.hang', timeoutMs: 100, retry: { maxAttempts: 1 }, execute: () => new Promise(() => {}) }),
  defineEffect<{ kind: 'acme.flaky'; path: string }>({
    kind: 'acme.flaky',
    secrets: ['acmeBaseUrl'],
    retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 20 },
    async execute(effect, { secrets, fetch, signal, key }) {
      const res = await fetch(`${secrets.acmeBaseUrl}${effect.path}`, {
        method: 'POST',
        headers: { 'idempotency-key': key },
        signal,
      });
      if (res.ok) return { ok: true, output: { status: res.status } };
      if (res.status >= 500) return temporaryFailure('acme_unavailable', `status ${res.status}`);
      return { ok: false, error: { code: 'acme_rejected', message: `status ${res.status}` } };
    },
  }),
  defineEffect({
    kind: 'acme.stall',
    timeoutMs: 30,
    retry: { maxAttempts: 2, initialDelayMs: 10 },
    execute: () => new Promise(() => {}),
  }),
  defineEffect({ kind: 'acme.needsMore', secrets: ['notSet'], execute: async () => ({ ok: true }) }),
];
const node = defineNode({
  type: 'acme.post',
  version: 1,
  category: 'action',
  title: 'Post',
  description: 'x',
  icon: 'x',
  config: z.strictObject({}),
  ports: nextPort,
  execute: () => ({ go: 'next' }),
});

for (const backend of testBackends) {
  describe.skipIf(backend.skip)(`effects worker with package executors (${backend.name})`, () => {
    let database: Database;
    let services: Services;
    let server: Server;
    let base: string;
    let workspace: string;
    let contact: string;
    const received: { url: string; headers: Record<string, unknown>; body: string }[] = [];
    const workers: { stop(): Promise<void> }[] = [];

    beforeAll(async () => {
      database = await backend.open();
      services = await testServices(database);
      services.registry = defaultRegistry().register([node], '@acme/pkg', executors);
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => {
          body += c.toString();
        });
        req.on('end', () => {
          received.push({ url: req.url ?? '', headers: req.headers, body });
          // /flaky answers 503 to the first two calls with the same idempotency key, then 200.
          const calls = received.filter(
            (r) => r.url === req.url && r.headers['idempotency-key'] === req.headers['idempotency-key'],
          ).length;
          const status = req.url === '/reject' ? 422 : req.url === '/flaky' && calls <= 2 ? 503 : 200;
          res.writeHead(status).end('ok');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      workspace = await addWorkspace(services.db);
      contact = await addContact(services.db, workspace, { email: 'ann@example.test', attributes: { plan: 'pro' } });
      const store = new SecretStore();
      await store.put(services.db, workspace, 'acmeBaseUrl', base);
      await store.put(services.db, workspace, 'acmeToken', token);
    }, 60_000);
    afterAll(async () => {
      await Promise.all(workers.map((w) => w.stop()));
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
      await database?.close();
    });

    function worker(allowPrivateWebhooks: boolean) {
      const w = createEffectsWorker(services, { allowPrivateWebhooks });
      workers.push(w);
      return w;
    }

    async function enqueue(payload: Record<string, unknown>, values: Partial<typeof outbox.$inferInsert> = {}) {
      const [row] = await services.db
        .insert(outbox)
        .values({
          workspaceId: workspace,
          key: uid('run'),
          kind: String(payload.kind),
          journeyId: 'j1',
          versionId: 'v1',
          runId: uid('run'),
          contactId: contact,
          node: uid('node'),
          payload,
          ...values,
        })
        .returning();
      if (!row) throw new Error('not inserted');
      return row;
    }

    /** Runs the worker until the rows are settled, and returns each with its effect.result properties. */
    async function perform(w: ReturnType<typeof worker>, ids: number[]) {
      for (let i = 0; i < 100; i++) {
        await w.runOnce();
        const rows = await services.db.select().from(outbox).where(inArray(outbox.id, ids));
        if (rows.every((r) => r.status === 'sent' || r.status === 'failed')) {
          const results = await services.db
            .select()
            .from(events)
            .where(and(eq(events.workspaceId, workspace), eq(events.name, 'effect.result')));
          return ids.map((id) => {
            const row = rows.find((r) => r.id === id) as typeof outbox.$inferSelect;
            return { row, result: results.find((e) => e.properties.node === row.node)?.properties };
          });
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('rows were not settled');
    }

    it('performs a custom effect with its secrets, the contact and the idempotency key, and reports it', async () => {
      const row = await enqueue({ kind: 'acme.post', path: '/hook' });
      const [done] = await perform(worker(true), [row.id]);
      expect(done?.row).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
      expect(done?.result).toEqual({
        journey: 'j1',
        node: row.node,
        run: row.runId,
        ok: true,
        output: { status: 200 },
      });
      const call = received.find((r) => r.headers['idempotency-key'] === row.key);
      expect(call).toMatchObject({ url: '/hook', headers: { authorization: `Bearer ${token}` } });
      expect(JSON.parse(call?.body ?? '{}')).toEqual({ email: 'ann@example.test', plan: 'pro' });
    });

    it('fails only the effect, with a coded error, when the executor throws, hangs, lacks a secret or is missing', async () => {
      const rows = await Promise.all([
        enqueue({ kind: 'acme.post', path: '/reject' }),
        enqueue({ kind: 'acme.crash' }),
        enqueue({ kind: 'acme.hang' }),
        enqueue({ kind: 'acme.needsMore' }),
        enqueue({ kind: 'other.thing' }),
      ]);
      const done = await perform(
        worker(true),
        rows.map((r) => r.id),
      );
      expect(
        done.map((d) => [d.row.status, d.result?.ok, (d.result?.error as { code?: string } | undefined)?.code]),
      ).toEqual([
        ['failed', false, 'acme_rejected'],
        ['failed', false, 'effect_failed'],
        ['failed', false, 'effect_timeout'],
        ['failed', false, 'missing_secret'],
        ['failed', false, 'no_executor'],
      ]);
      expect(done[3]?.result?.error).toMatchObject({ message: expect.stringContaining('notSet') });
    });

    it('never stores or reports a secret value, even when an executor puts one in its error', async () => {
      const row = await enqueue({ kind: 'acme.crash' });
      const [done] = await perform(worker(true), [row.id]);
      expect(done?.row.lastError).toBe('effect_failed: token [secret] was refused');
      expect(JSON.stringify(done?.result)).not.toContain(token);
    });

    it('gives executors a fetch that refuses private addresses unless the runtime allows them', async () => {
      const row = await enqueue({ kind: 'acme.post', path: '/blocked' });
      const [done] = await perform(worker(false), [row.id]);
      expect(done?.result).toMatchObject({ ok: false, error: { code: 'address_blocked' } });
      expect(received.some((r) => r.url === '/blocked')).toBe(false);
    });

    it('refuses webhooks to private IP literals, which the DNS guard never sees', async () => {
      const row = await enqueue({ kind: 'webhook', url: `${base}/literal`, method: 'POST' });
      const [done] = await perform(worker(false), [row.id]);
      expect(done?.result).toMatchObject({ ok: false, error: { code: 'webhook_address_blocked' } });
      expect(received.some((r) => r.url === '/literal')).toBe(false);
    });

    it('leaves rows another worker holds alone, and takes over rows whose lease ran out', async () => {
      const held = await enqueue(
        { kind: 'acme.post', path: '/held' },
        { status: 'sending', attempts: 1, leaseUntil: sql`now() + interval '1 hour'` as never },
      );
      const abandoned = await enqueue(
        { kind: 'acme.post', path: '/abandoned' },
        { status: 'sending', attempts: 1, leaseUntil: sql`now() - interval '1 second'` as never },
      );
      const [done] = await perform(worker(true), [abandoned.id]);
      expect(done?.row).toMatchObject({ status: 'sent', attempts: 2 });
      const [still] = await services.db.select().from(outbox).where(eq(outbox.id, held.id));
      expect(still).toMatchObject({ status: 'sending', attempts: 1 });
      expect(received.some((r) => r.url === '/held')).toBe(false);
    });

    const statsOf = async (node: string) =>
      Object.fromEntries(
        (await services.db.select().from(nodeStats).where(eq(nodeStats.node, node))).map((s) => [s.metric, s.count]),
      );

    it('tries a temporary failure again with backoff and reports success on the third attempt', async () => {
      const row = await enqueue({ kind: 'acme.flaky', path: '/flaky' });
      const [done] = await perform(worker(true), [row.id]);
      expect(done?.row).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
      expect(done?.result).toMatchObject({ ok: true, output: { status: 200 } });
      // Every attempt carried the same idempotency key: the receiver can tell them apart from new work.
      expect(received.filter((r) => r.headers['idempotency-key'] === row.key)).toHaveLength(3);
      expect(await statsOf(row.node)).toEqual({ 'retried:acme_unavailable': 2 });
    });

    it('reports a permanent failure at once, after one attempt', async () => {
      const row = await enqueue({ kind: 'acme.flaky', path: '/reject' });
      const [done] = await perform(worker(true), [row.id]);
      expect(done?.row).toMatchObject({ status: 'failed', attempts: 1 });
      expect(done?.result).toMatchObject({
        ok: false,
        error: { code: 'acme_rejected', message: 'status 422', attempts: 1 },
      });
      expect(await statsOf(row.node)).toEqual({});
    });

    it('gives up on a timeout after the executor’s maximum of attempts, saying so', async () => {
      const row = await enqueue({ kind: 'acme.stall' });
      const [done] = await perform(worker(true), [row.id]);
      expect(done?.row).toMatchObject({ status: 'failed', attempts: 2 });
      expect(done?.result).toMatchObject({
        ok: false,
        error: {
          code: 'effect_timeout',
          message: 'acme.stall did not finish within 30 ms (gave up after 2 attempts)',
          retryable: true,
          attempts: 2,
        },
      });
      expect(await statsOf(row.node)).toEqual({ 'retried:effect_timeout': 1, 'gave_up:effect_timeout': 1 });
    });
  });
}
