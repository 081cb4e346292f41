import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, type DatabaseKind, eventually, useTestRuntime } from '../support/runtime.ts';

const flakyPackage = fileURLToPath(new URL('../fixtures/node-package-flaky', import.meta.url));

/**
 * A service on 127.0.0.1 that records calls: /flaky answers 503 to the first two calls with one
 * idempotency key and 200 to the third, /down always 503, /reject always 400.
 */
async function startService() {
  const calls: { path: string; key: string }[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    const key = String(req.headers['idempotency-key'] ?? '');
    calls.push({ path, key });
    const seen = calls.filter((c) => c.path === path && c.key === key).length;
    const status = path === '/reject' ? 400 : path === '/down' || (path === '/flaky' && seen <= 2) ? 503 : 200;
    req.resume();
    req.on('end', () => res.writeHead(status).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type Stats = Record<string, Record<string, number>>;

for (const kind of ['pglite', 'postgres'] as DatabaseKind[]) {
  describe.skipIf(backend(kind).skip)(`retries of package nodes and effects in a real runtime (${kind})`, () => {
    const s = useTestRuntime(kind, {
      config: { nodePackages: [flakyPackage] },
      overrides: { allowPrivateWebhooks: true },
    });
    let service: Awaited<ReturnType<typeof startService>>;

    beforeAll(async () => {
      if (s.skip) return;
      service = await startService();
      expect((await s.t.api('PUT', '/v1/secrets/flakyUrl', { value: service.url })).status).toBeLessThan(300);
      const contacts = ['ann', 'bob', 'cid', 'dee', 'eve', 'fay'].map((id) => ({ id, email: `${id}@example.test` }));
      expect((await s.t.api('POST', '/v1/contacts', { contacts })).status).toBeLessThan(300);
    }, 60_000);
    afterAll(async () => {
      await service?.close();
    });

    /** Publishes a journey: on event `id`, `node`, then an attribute `<id>` set to "ok" or "failed". */
    async function publish(id: string, node: { type: string; config: Record<string, unknown> }) {
      const withFailed = node.type === 'flaky.call';
      const definition = {
        schemaVersion: 1,
        id,
        nodes: [
          { id: 'start', type: 'trigger.event', config: { event: id } },
          { id: 'work', ...node },
          { id: 'ok', type: 'action.updateContact', config: { set: { [id]: 'ok' } } },
          ...(withFailed ? [{ id: 'failed', type: 'action.updateContact', config: { set: { [id]: 'failed' } } }] : []),
          { id: 'end', type: 'flow.exit', config: {} },
        ],
        edges: [
          { from: 'start', to: 'work' },
          { from: 'work', to: 'ok' },
          { from: 'ok', to: 'end' },
          ...(withFailed
            ? [
                { from: 'work', port: 'failed', to: 'failed' },
                { from: 'failed', to: 'end' },
              ]
            : []),
        ],
      };
      expect((await s.t.api('POST', '/v1/journeys', { id, name: id, definition })).status).toBe(201);
      const published = await s.t.api('POST', `/v1/journeys/${id}/publish`);
      expect(published.status, JSON.stringify(published.body)).toBe(200);
    }

    const send = (contactId: string, event: string) => s.t.api('POST', '/v1/events', { contactId, event });
    const stats = async (id: string) => (await s.t.api<{ nodes: Stats }>('GET', `/v1/journeys/${id}/stats`)).body.nodes;
    const attribute = (contactId: string, name: string) =>
      eventually(
        async () => {
          const c = await s.t.api<{ attributes: Record<string, unknown> }>('GET', `/v1/contacts/${contactId}`);
          return c.body.attributes[name] as string | undefined;
        },
        20_000,
        `${contactId}.${name}`,
      );

    it('tries an effect that fails twice with a temporary error again, and completes on attempt 3', async () => {
      await publish('flaky', { type: 'flaky.call', config: { path: '/flaky' } });
      await send('ann', 'flaky');
      expect(await attribute('ann', 'flaky')).toBe('ok');
      const attempts = service.calls.filter((c) => c.path === '/flaky');
      expect(attempts).toHaveLength(3);
      // Every attempt is the same work: one idempotency key.
      expect(new Set(attempts.map((c) => c.key)).size).toBe(1);
      const work = (await stats('flaky')).work;
      expect(work).toMatchObject({ entered: 1, left: 1, 'retried:flaky_unavailable': 2 });
      expect(work?.['left:failed']).toBeUndefined();
      expect(work?.['gave_up:flaky_unavailable']).toBeUndefined();
    }, 40_000);

    it('fails a permanent effect error at once: one call, and the run leaves through failed', async () => {
      await publish('rejected', { type: 'flaky.call', config: { path: '/reject' } });
      await send('bob', 'rejected');
      expect(await attribute('bob', 'rejected')).toBe('failed');
      expect(service.calls.filter((c) => c.path === '/reject')).toHaveLength(1);
      const work = (await stats('rejected')).work;
      expect(work).toMatchObject({ left: 1, 'left:failed': 1 });
      expect(Object.keys(work ?? {}).filter((m) => m.startsWith('retried:'))).toEqual([]);
    }, 40_000);

    it('gives up on a service that stays down after the maximum of attempts, visible in the stats', async () => {
      await publish('down', { type: 'flaky.call', config: { path: '/down' } });
      await send('cid', 'down');
      expect(await attribute('cid', 'down')).toBe('failed');
      expect(service.calls.filter((c) => c.path === '/down')).toHaveLength(3);
      expect((await stats('down')).work).toMatchObject({
        'retried:flaky_unavailable': 2,
        'gave_up:flaky_unavailable': 1,
        'left:failed': 1,
      });
    }, 40_000);

    it('retries node code stopped at its time limit, then fails it with node_timeout, while other contacts carry on', async () => {
      await publish('spin', { type: 'flaky.compute', config: { how: 'loop' } });
      await publish('meanwhile', { type: 'flaky.call', config: { path: '/meanwhile' } });
      await send('dee', 'spin');
      await send('eve', 'meanwhile');
      const work = await eventually(
        async () => {
          const n = (await stats('spin')).work;
          return n?.['gave_up:node_timeout'] ? n : undefined;
        },
        30_000,
        'the last node_timeout',
      );
      expect(work).toMatchObject({ 'failed:node_timeout': 3, 'retried:node_timeout': 2, 'gave_up:node_timeout': 1 });
      // The run ended at the node: nobody waits there, and it never went on.
      expect(work.waiting).toBeUndefined();
      expect((await stats('spin')).ok).toBeUndefined();
      expect(await attribute('eve', 'meanwhile')).toBe('ok');
      expect((await s.t.api('GET', '/health', undefined, { key: '' })).status).toBe(200);
    }, 60_000);

    it('fails node code that throws a permanent error at once, without retries', async () => {
      await publish('bug', { type: 'flaky.compute', config: { how: 'throw' } });
      await send('fay', 'bug');
      const work = await eventually(
        async () => {
          const n = (await stats('bug')).work;
          return n?.['gave_up:node_failed'] ? n : undefined;
        },
        20_000,
        'the node_failed step',
      );
      expect(work).toMatchObject({ 'failed:node_failed': 1, 'gave_up:node_failed': 1 });
      expect(Object.keys(work).filter((m) => m.startsWith('retried:'))).toEqual([]);
    }, 40_000);
  });
}
