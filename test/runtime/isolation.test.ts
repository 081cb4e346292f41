import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartJourney, cartTemplates } from '../support/journeys.ts';
import { eventually, startTestRuntime, type TestRuntime } from '../support/runtime.ts';

interface OpenApi {
  paths: Record<string, Record<string, unknown>>;
}

/** Fills `{param}` segments of an OpenAPI path with ids that exist in workspace A. */
function concrete(path: string): string {
  return path
    .replace(
      '{id}',
      path.startsWith('/v1/journeys')
        ? 'cart'
        : path.startsWith('/v1/templates')
          ? 'welcome'
          : path.startsWith('/v1/contacts')
            ? 'ann'
            : 'x',
    )
    .replace('{version}', '1')
    .replace(/\{[^}]+\}/g, 'x');
}

describe('authentication and tenant isolation on every route (PGlite)', () => {
  let t: TestRuntime;
  let keyB: string;
  let routes: { method: string; path: string }[];

  beforeAll(async () => {
    t = await startTestRuntime('pglite');
    await t.api('POST', '/v1/contacts', { id: 'ann', email: 'ann@example.com' });
    for (const template of cartTemplates) await t.api('POST', '/v1/templates', template);
    await t.api('POST', '/v1/journeys', { id: 'cart', name: 'Cart', definition: cartJourney() });
    expect((await t.api('POST', '/v1/journeys/cart/publish')).status).toBe(200);
    await t.api('POST', '/v1/templates', {
      id: 'welcome',
      name: 'Welcome',
      subject: 'Hi',
      mjml: '<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-text></mj-column></mj-section></mj-body></mjml>',
    });
    const b = await t.api<{ id: string; apiKey: string }>('POST', '/v1/workspaces', { name: 'Tenant B' });
    expect(b.status).toBe(201);
    keyB = b.body.apiKey;
    const doc = await t.api<OpenApi>('GET', '/v1/openapi.json', undefined, { key: '' });
    routes = Object.entries(doc.body.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })),
    );
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('documents the API in OpenAPI, with every route behind bearer auth', () => {
    expect(routes.length).toBeGreaterThan(20);
    expect(routes).toEqual(
      expect.arrayContaining([
        { method: 'POST', path: '/v1/events' },
        { method: 'GET', path: '/v1/node-types' },
      ]),
    );
    expect(routes.every((r) => r.path.startsWith('/v1/'))).toBe(true);
  });

  it('answers 401 with the JSON error shape on every route without a key or with a wrong one', async () => {
    for (const r of routes) {
      for (const key of ['', 'wm_not_a_real_key', 'not-a-token']) {
        const res = await t.api<{ error?: { code: string; message: string } }>(
          r.method,
          concrete(r.path),
          r.method === 'GET' ? undefined : {},
          { key },
        );
        expect(res.status, `${r.method} ${r.path} with "${key}"`).toBe(401);
        expect(res.body.error?.code).toBe('unauthorized');
        expect(res.body.error?.message).toEqual(expect.any(String));
      }
    }
  });

  it("never lets workspace B read or change workspace A's resources", async () => {
    for (const r of routes) {
      if (!r.path.includes('{')) continue;
      const res = await t.api<{ error?: { code: string; message: string } }>(
        r.method,
        concrete(r.path),
        r.method === 'GET' || r.method === 'DELETE'
          ? undefined
          : {
              name: 'x',
              definition: {},
              subject: 'x',
              mjml: '<mjml></mjml>',
              contactIds: ['ann'],
              decision: 'approved',
            },
        { key: keyB },
      );
      expect([400, 403, 404], `${r.method} ${r.path} as B gave ${res.status}`).toContain(res.status);
      // A 404 must be the workspace-scoped "not found", not a missing route.
      if (res.status === 404) expect(res.body.error?.message).not.toMatch(/^no route/);
    }
    const lists = await Promise.all(
      ['/v1/journeys', '/v1/contacts', '/v1/templates'].map((p) =>
        t.api<Record<string, unknown[]>>('GET', p, undefined, { key: keyB }),
      ),
    );
    for (const l of lists)
      for (const value of Object.values(l.body)) if (Array.isArray(value)) expect(value).toEqual([]);
    // A's data is untouched.
    const ann = await t.api<{ email: string }>('GET', '/v1/contacts/ann');
    expect(ann.body.email).toBe('ann@example.com');
    const cart = await t.api<{ status: string }>('GET', '/v1/journeys/cart');
    expect(cart.body.status).toBe('active');
  });

  it("keeps each workspace's mail in the development inbox to itself", async () => {
    // This runtime has no SMTP_URL: every email goes to the built-in sink and its inbox.
    await t.api('PUT', '/v1/templates/cart-reminder', {
      name: 'Reminder',
      subject: 'Your cart, Ann',
      mjml: '<mjml><mj-body><mj-section><mj-column><mj-text><a href="{{ preferences_url }}">Preferences</a></mj-text></mj-column></mj-section></mj-body></mjml>',
    });
    expect((await t.api('POST', '/v1/events', { contactId: 'ann', event: 'cart_abandoned' })).status).toBe(202);
    type Inbox = { messages: { id: number; subject: string }[] };
    const mine = await eventually(async () => {
      const list = await t.api<Inbox>('GET', '/v1/dev/inbox');
      return list.body.messages.length > 0 ? list.body.messages : undefined;
    });
    expect(mine.map((m) => m.subject)).toEqual(['Your cart, Ann']);
    const id = mine[0]?.id;
    const tokenA = (await t.api<{ token: string }>('POST', '/v1/editor-tokens', {})).body.token;
    expect((await t.api('GET', `/v1/dev/inbox/${id}`, undefined, { key: tokenA })).status).toBe(200);

    const tokenB = (await t.api<{ token: string }>('POST', '/v1/editor-tokens', {}, { key: keyB })).body.token;
    for (const key of [keyB, tokenB]) {
      const list = await t.api<Inbox>('GET', '/v1/dev/inbox?limit=500', undefined, { key });
      expect(list.status).toBe(200);
      expect(list.body.messages).toEqual([]);
      const read = await t.api<{ error: { code: string } }>('GET', `/v1/dev/inbox/${id}`, undefined, { key });
      expect(read.status).toBe(404);
      expect(read.body.error.code).toBe('not_found');
      expect(JSON.stringify(read.body)).not.toMatch(/ann@example\.com|\/p\//);
    }
  });

  it('scopes editor tokens: to their workspace, their journey, and read-only when asked', async () => {
    const scoped = await t.api<{ token: string }>('POST', '/v1/editor-tokens', { journeyId: 'cart', access: 'read' });
    expect(scoped.status).toBe(201);
    const token = scoped.body.token;
    expect((await t.api('GET', '/v1/journeys/cart', undefined, { key: token })).status).toBe(200);
    expect((await t.api('PUT', '/v1/journeys/cart/draft', { definition: cartJourney() }, { key: token })).status).toBe(
      403,
    );
    expect((await t.api('POST', '/v1/journeys', { name: 'x' }, { key: token })).status).toBe(403);
    expect((await t.api('POST', '/v1/editor-tokens', {}, { key: token })).status).toBe(403);
    expect((await t.api('POST', '/v1/events', { contactId: 'ann', event: 'x' }, { key: token })).status).toBe(403);
    await t.api('POST', '/v1/journeys', { id: 'other', name: 'Other' });
    expect((await t.api('GET', '/v1/journeys/other', undefined, { key: token })).status).toBe(403);
    const list = await t.api<{ journeys: { id: string }[] }>('GET', '/v1/journeys', undefined, { key: token });
    expect(list.body.journeys.map((j) => j.id)).toEqual(['cart']);
    const tokenB = await t.api<{ token: string }>('POST', '/v1/editor-tokens', {}, { key: keyB });
    expect((await t.api('GET', '/v1/journeys/cart', undefined, { key: tokenB.body.token })).status).toBe(404);
    expect((await t.api('POST', '/v1/editor-tokens', { journeyId: 'cart' }, { key: keyB })).status).toBe(404);
  });

  it('revokes API keys at once and never returns a stored key', async () => {
    const created = await t.api<{ id: string; key: string; prefix: string }>('POST', '/v1/api-keys', { name: 'ci' });
    expect(created.status).toBe(201);
    expect((await t.api('GET', '/v1/workspace', undefined, { key: created.body.key })).status).toBe(200);
    const listed = await t.api<{ keys: Record<string, unknown>[] }>('GET', '/v1/api-keys');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    expect((await t.api('DELETE', `/v1/api-keys/${created.body.id}`)).status).toBe(200);
    expect((await t.api('GET', '/v1/workspace', undefined, { key: created.body.key })).status).toBe(401);
    expect((await t.api('POST', '/v1/workspaces', { name: 'C' }, { key: keyB })).status).toBe(403);
  });

  it('names the offending field in every validation error', async () => {
    const bad = await t.api<{ error: { code: string; message: string } }>('POST', '/v1/contacts', {
      id: 'zed',
      email: 'not-an-email',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    expect(bad.body.error.message).toContain('email');
    const badEvent = await t.api<{ error: { message: string } }>('POST', '/v1/events', {
      contactId: 'ann',
      event: 'approval.decided',
    });
    expect(badEvent.status).toBe(400);
    expect(badEvent.body.error.message).toMatch(/event/);
    const notJson = await t.api<{ error: { code: string } }>('POST', '/v1/contacts', '{nope', {
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('invalid_request');
  });
});
