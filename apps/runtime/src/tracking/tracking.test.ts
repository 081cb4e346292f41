import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.ts';
import { sealToken } from '../crypto.ts';
import type { Database } from '../db/client.ts';
import { events, nodeStats, outbox, suppressions } from '../db/schema.ts';
import type { Services } from '../services.ts';
import { renderEmail } from '../templates/render.ts';
import { testBackends } from '../testing/databases.ts';
import { addContact, addEmails, addWorkspace, sampleMjml } from '../testing/fixtures.ts';
import { testServices } from '../testing/services.ts';
import { messageLinks } from './links.ts';
import { trackingRoutes } from './routes.ts';

for (const backend of testBackends) {
  describe.skipIf(backend.skip)(`tracking and unsubscribe links (${backend.name})`, () => {
    let database: Database;
    let services: Services;
    let app: ReturnType<typeof createApp>;

    beforeAll(async () => {
      database = await backend.open();
      services = await testServices(database);
      app = createApp(services);
      app.route('/', trackingRoutes(services));
    }, 60_000);
    afterAll(async () => {
      await database?.close();
    });

    /** A sent email in a fresh workspace, in a subject-variant test and two experiments. */
    async function sentEmail(email = 'Dana@Example.test') {
      const ws = await addWorkspace(services.db);
      const contact = await addContact(services.db, ws, { email });
      const [id] = (await addEmails(services.db, ws, [
        {
          contactId: contact,
          node: 'send',
          versionId: 'v7',
          payload: {
            template: 't',
            variant: 2,
            experiments: [
              { node: 'ab-open', port: 'b', metric: 'open' },
              { node: 'ab-click', port: 'x', metric: 'click' },
            ],
          },
        },
      ])) as [number];
      return { ws, contact, id, links: messageLinks(services, id), path: (url: string) => new URL(url).pathname };
    }

    async function statsOf(ws: string): Promise<Record<string, number>> {
      const rows = await services.db.select().from(nodeStats).where(eq(nodeStats.workspaceId, ws));
      return Object.fromEntries(rows.map((r) => [`${r.node}/${r.metric}`, r.count]));
    }

    const eventsOf = (ws: string) =>
      services.db.select().from(events).where(eq(events.workspaceId, ws)).orderBy(events.id);

    it('counts the open of an email sent inside a weekly digest, but not as a success of its subject or open test', async () => {
      const m = await sentEmail();
      await services.db
        .update(outbox)
        .set({ status: 'digested', digestId: m.id + 1_000_000 })
        .where(eq(outbox.id, m.id));
      expect((await app.request(m.path(m.links.openUrl))).status).toBe(200);
      expect(await statsOf(m.ws)).toEqual({ 'send/opened': 1 });
      expect((await eventsOf(m.ws)).map((e) => e.name)).toEqual(['email.opened']);
    });

    it('serves the open pixel, records email.opened once, and counts the open once with its experiments', async () => {
      const m = await sentEmail();
      const res = await app.request(m.path(m.links.openUrl));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/gif');
      expect(res.headers.get('cache-control')).toContain('no-store');
      const gif = new Uint8Array(await res.arrayBuffer());
      expect(Buffer.from(gif.subarray(0, 6)).toString()).toBe('GIF89a');

      await app.request(m.path(m.links.openUrl));
      const opened = await eventsOf(m.ws);
      expect(opened).toEqual([
        expect.objectContaining({
          contactId: m.contact,
          name: 'email.opened',
          properties: { node: 'send', journey: 'j1', version: 'v7', message: m.id },
        }),
      ]);
      expect(await statsOf(m.ws)).toEqual({
        'send/opened': 1,
        'send/arm:2:successes': 1,
        'ab-open/arm:b:successes': 1,
      });
    });

    it('redirects a click to the signed URL, records every click and counts the first (an open too)', async () => {
      const m = await sentEmail();
      const target = 'https://shop.example/offer?c=1&utm_source=email#top';
      const head = await app.request(m.path(m.links.clickUrl(target, 0)), { method: 'HEAD' });
      expect(head.status).toBe(302);
      expect(await eventsOf(m.ws)).toEqual([]);
      const res = await app.request(m.path(m.links.clickUrl(target, 0)));
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(target);
      await app.request(m.path(m.links.clickUrl(target, 0)));

      const names = (await eventsOf(m.ws)).map((e) => [e.name, e.properties.url]);
      expect(names).toEqual([
        ['email.opened', undefined],
        ['email.clicked', target],
        ['email.clicked', target],
      ]);
      expect(await statsOf(m.ws)).toEqual({
        'send/opened': 1,
        'send/arm:2:successes': 1,
        'ab-open/arm:b:successes': 1,
        'send/clicked': 1,
        'ab-click/arm:x:successes': 1,
      });
    });

    it('redirects only to URLs that are in the email; a tampered token gets 400', async () => {
      const m = await sentEmail();
      const rendered = await renderEmail({
        template: {
          subject: 's',
          mjml: sampleMjml.replace(
            '</mj-column>',
            '<mj-button href="https://blog.example/post">Blog</mj-button></mj-column>',
          ),
        },
        contact: { id: 'c9', email: 'x@example.test', attributes: {} },
        links: { unsubscribeUrl: m.links.unsubscribeUrl },
        tracking: { openUrl: m.links.openUrl, clickUrl: m.links.clickUrl },
      });
      const clicks = [...rendered.html.matchAll(/href="(http:\/\/waymark\.test\/t\/c\/[^"]+)"/g)].map(
        (x) => x[1] as string,
      );
      expect(clicks).toHaveLength(2);
      const locations = await Promise.all(
        clicks.map(async (u) => (await app.request(m.path(u))).headers.get('location')),
      );
      expect(locations).toEqual(['https://shop.example/offer?c=c9', 'https://blog.example/post']);

      const token = m
        .path(clicks[0] as string)
        .split('/')
        .pop() as string;
      const [body, signature] = token.split('.') as [string, string];
      const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
      const evil = Buffer.from(JSON.stringify({ ...payload, u: 'https://evil.example/' })).toString('base64url');
      for (const bad of [`${evil}.${signature}`, `${body}.${signature.slice(0, -2)}xx`, 'garbage', body]) {
        const res = await app.request(`/t/c/${bad}`);
        expect(res.status).toBe(400);
        expect(res.headers.get('location')).toBeNull();
        expect(await res.json()).toMatchObject({ error: { code: 'invalid_request' } });
      }
      // A token signed for another purpose (the open pixel) is not a click token either.
      expect((await app.request(`/t/c/${m.path(m.links.openUrl).split('/').pop()}`)).status).toBe(400);
      // Signed with our secret but not an http(s) URL: refused.
      const js = sealToken(services.secrets.links, { t: 'c', m: m.id, u: 'javascript:alert(1)', i: 0 });
      expect((await app.request(`/t/c/${js}`)).status).toBe(400);
      expect((await app.request('/t/o/garbage')).status).toBe(400);
    });

    it('shows an unsubscribe page on GET without unsubscribing (link scanners fetch links)', async () => {
      const m = await sentEmail();
      const res = await app.request(m.path(m.links.unsubscribeUrl));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      const html = await res.text();
      expect(html).toContain('<form method="post">');
      expect(html).toContain('name="List-Unsubscribe" value="One-Click"');
      expect(await services.db.select().from(suppressions).where(eq(suppressions.workspaceId, m.ws))).toEqual([]);
      expect((await app.request('/u/not-a-token')).status).toBe(400);
    });

    it('unsubscribes at once on the RFC 8058 one-click POST, once however often it is posted', async () => {
      const m = await sentEmail('Erin@Example.test');
      for (let i = 0; i < 2; i++) {
        const res = await app.request(m.path(m.links.unsubscribeUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        });
        expect(res.status).toBe(200);
        expect(await res.text()).toContain('<strong>erin@example.test</strong> will no longer receive these emails');
      }
      const rows = await services.db.select().from(suppressions).where(eq(suppressions.workspaceId, m.ws));
      expect(rows).toEqual([expect.objectContaining({ email: 'erin@example.test', reason: 'unsubscribe' })]);
      expect((await eventsOf(m.ws)).map((e) => e.name)).toEqual(['email.unsubscribed']);
      expect(await statsOf(m.ws)).toEqual({ 'send/unsubscribed': 1 });
    });

    it('answers links of messages that do not exist without recording anything', async () => {
      const links = messageLinks(services, 987_654_321);
      const pixel = await app.request(new URL(links.openUrl).pathname);
      expect(pixel.status).toBe(200);
      const click = await app.request(new URL(links.clickUrl('https://ok.example/', 0)).pathname);
      expect(click.headers.get('location')).toBe('https://ok.example/');
      const unsub = await app.request(new URL(links.unsubscribeUrl).pathname, { method: 'POST' });
      expect(unsub.status).toBe(404);
    });
  });
}
