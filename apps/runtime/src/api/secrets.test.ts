import { defaultRegistry, defineEffect, defineNode, nextPort } from '@waymark/nodes';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createWorkspace } from '../bootstrap.ts';
import type { Database } from '../db/client.ts';
import { workspaceSecrets } from '../db/secrets-schema.ts';
import { openSecret, SecretStore, sealSecret, UnreadableSecretError } from '../effects/secret-store.ts';
import type { Services } from '../services.ts';
import { testBackends } from '../testing/databases.ts';
import { uid } from '../testing/fixtures.ts';
import { testServices } from '../testing/services.ts';
import { createApp } from './app.ts';
import { issueEditorToken } from './auth.ts';
import { secretRoutes } from './secrets.ts';

const hook = 'https://hooks.slack.test/services/T0/B0/very-secret-token';

for (const backend of testBackends) {
  describe.skipIf(backend.skip)(`secrets API (${backend.name})`, () => {
    let database: Database;
    let services: Services;
    let app: ReturnType<typeof createApp>;
    let keyA: string;
    let keyB: string;
    let workspaceA: string;
    const logs: string[] = [];

    beforeAll(async () => {
      database = await backend.open();
      services = await testServices(database);
      services.registry = defaultRegistry().register(
        [
          defineNode({
            type: 'acme.slackNotify',
            version: 1,
            category: 'action',
            title: 'Notify Slack',
            description: 'x',
            icon: 'slack',
            config: z.strictObject({}),
            ports: nextPort,
            execute: () => ({ go: 'next' }),
          }),
        ],
        '@acme/slack',
        [
          defineEffect({
            kind: 'acme.slack',
            secrets: ['slackWebhookUrl', 'slackToken'],
            execute: async () => ({ ok: true }),
          }),
        ],
      );
      services.log = {
        info: (m, f) => logs.push(JSON.stringify([m, f])),
        warn: (m, f) => logs.push(JSON.stringify([m, f])),
        error: (m, f) => logs.push(JSON.stringify([m, f])),
      };
      app = createApp(services);
      app.route('/v1', secretRoutes(services));
      const a = await createWorkspace(services.db, 'A', uid('ws'), `wm_${uid('a')}`);
      const b = await createWorkspace(services.db, 'B', uid('ws'), `wm_${uid('b')}`);
      workspaceA = a.workspaceId;
      keyA = a.apiKey;
      keyB = b.apiKey;
    }, 60_000);
    afterAll(async () => {
      await database?.close();
    });

    const call = async (method: string, path: string, body?: unknown, key = keyA) => {
      const res = await app.request(path, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return {
        status: res.status,
        body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } },
      };
    };

    it('stores a secret encrypted, never echoing or listing its value', async () => {
      const put = await call('PUT', '/v1/secrets/slackWebhookUrl', { value: hook });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ name: 'slackWebhookUrl', created: true });
      expect(JSON.stringify(put.body)).not.toContain('very-secret-token');
      const [row] = await services.db
        .select()
        .from(workspaceSecrets)
        .where(and(eq(workspaceSecrets.workspaceId, workspaceA), eq(workspaceSecrets.name, 'slackWebhookUrl')));
      expect(row?.ciphertext).toMatch(/^v1\.[0-9a-f]{8}\./);
      expect(row?.ciphertext).not.toContain('very-secret-token');
      expect(await new SecretStore().read(services.db, workspaceA, ['slackWebhookUrl', 'other'])).toEqual({
        slackWebhookUrl: hook,
      });
      const list = await call('GET', '/v1/secrets');
      expect(list.status).toBe(200);
      expect(list.body.secrets).toEqual([
        { name: 'slackWebhookUrl', createdAt: expect.any(String), updatedAt: expect.any(String) },
      ]);
      expect(JSON.stringify(list.body)).not.toContain('very-secret-token');
      expect(logs.join('\n')).not.toContain('very-secret-token');
    });

    it('replaces a value, saying it was not created', async () => {
      await call('PUT', '/v1/secrets/rotated', { value: 'first' });
      const again = await call('PUT', '/v1/secrets/rotated', { value: 'second' });
      expect(again.body).toMatchObject({ created: false });
      expect(await new SecretStore().read(services.db, workspaceA, ['rotated'])).toEqual({ rotated: 'second' });
    });

    it('lists which secrets the installed packages need and whether each is set', async () => {
      const list = await call('GET', '/v1/secrets');
      expect(list.body.required).toEqual([
        { name: 'slackWebhookUrl', kind: 'acme.slack', source: '@acme/slack', set: true },
        { name: 'slackToken', kind: 'acme.slack', source: '@acme/slack', set: false },
      ]);
    });

    it('deletes a secret, and answers 404 for one the workspace does not have', async () => {
      await call('PUT', '/v1/secrets/gone', { value: 'x' });
      expect((await call('DELETE', '/v1/secrets/gone')).body).toEqual({ deleted: true });
      const missing = await call('DELETE', '/v1/secrets/gone');
      expect(missing.status).toBe(404);
      expect(missing.body.error).toMatchObject({
        code: 'not_found',
        message: 'secret "gone" not found in this workspace',
      });
    });

    it("keeps workspaces apart: B neither sees nor deletes A's secrets", async () => {
      expect((await call('GET', '/v1/secrets', undefined, keyB)).body.secrets).toEqual([]);
      expect((await call('DELETE', '/v1/secrets/slackWebhookUrl', undefined, keyB)).status).toBe(404);
      expect(await new SecretStore().read(services.db, workspaceA, ['slackWebhookUrl'])).toEqual({
        slackWebhookUrl: hook,
      });
    });

    it('lets editor tokens list names but not set or delete secrets', async () => {
      const { token } = await issueEditorToken(services.secrets.tokens, {
        workspaceId: workspaceA,
        access: 'edit',
        ttlSeconds: 60,
      });
      expect((await call('GET', '/v1/secrets', undefined, token)).status).toBe(200);
      expect((await call('PUT', '/v1/secrets/x', { value: 'y' }, token)).status).toBe(403);
      expect((await call('DELETE', '/v1/secrets/slackWebhookUrl', undefined, token)).status).toBe(403);
      expect((await call('GET', '/v1/secrets', undefined, '')).status).toBe(401);
    });

    it.each([
      { name: 'a name with a space', path: '/v1/secrets/my%20secret', body: { value: 'x' }, message: /name/ },
      { name: 'a name starting with a digit', path: '/v1/secrets/1st', body: { value: 'x' }, message: /name/ },
      { name: 'an empty value', path: '/v1/secrets/ok', body: { value: '' }, message: /value/ },
      { name: 'no value', path: '/v1/secrets/ok', body: {}, message: /value/ },
      { name: 'a value over 16 KiB', path: '/v1/secrets/ok', body: { value: 'x'.repeat(16_385) }, message: /value/ },
    ])('refuses $name with a 400 naming the field', async ({ path, body, message }) => {
      const r = await call('PUT', path, body);
      expect(r.status).toBe(400);
      expect(r.body.error?.code).toBe('invalid_request');
      expect(r.body.error?.message).toMatch(message);
    });
  });
}

describe('secret encryption', () => {
  const key = { key: Buffer.alloc(32, 7), id: 'k1' };

  it('round-trips, with a fresh IV every time', () => {
    const a = sealSecret(key, 'ws', 'token', 'value');
    const b = sealSecret(key, 'ws', 'token', 'value');
    expect(a).not.toBe(b);
    expect(openSecret(key, 'ws', 'token', a)).toBe('value');
  });

  it('refuses a ciphertext moved to another name or workspace, one under another key, and a tampered one', () => {
    const sealed = sealSecret(key, 'ws', 'token', 'value');
    const refused = (f: () => unknown, message: RegExp) => {
      expect(f).toThrow(UnreadableSecretError);
      expect(f).toThrow(message);
    };
    refused(() => openSecret(key, 'ws', 'other', sealed), /integrity/);
    refused(() => openSecret(key, 'ws2', 'token', sealed), /integrity/);
    refused(() => openSecret({ key: Buffer.alloc(32, 8), id: 'k2' }, 'ws', 'token', sealed), /another key/);
    const parts = sealed.split('.');
    parts[4] = Buffer.from('forged').toString('base64url');
    refused(() => openSecret(key, 'ws', 'token', parts.join('.')), /integrity/);
    refused(() => openSecret(key, 'ws', 'token', 'plain text'), /format/);
  });
});
