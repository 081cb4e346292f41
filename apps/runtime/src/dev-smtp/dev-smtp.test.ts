import { desc, eq } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.ts';
import { issueEditorToken } from '../api/auth.ts';
import { createWorkspace } from '../bootstrap.ts';
import type { Database } from '../db/client.ts';
import { devInbox } from '../db/schema.ts';
import { createDelivery } from '../delivery/worker.ts';
import type { Services } from '../services.ts';
import { emailFrameSandbox } from '../templates/sandbox.ts';
import { testBackends } from '../testing/databases.ts';
import { addContact, addEmails, addTemplate } from '../testing/fixtures.ts';
import { testServices } from '../testing/services.ts';
import { devInboxPageRoutes } from './inbox-page.ts';
import { devInboxRoutes } from './routes.ts';
import { type DevSmtp, startDevSmtp } from './server.ts';

for (const backend of testBackends) {
  describe.skipIf(backend.skip)(`development SMTP sink and inbox (${backend.name})`, () => {
    let database: Database;
    let services: Services;
    let sink: DevSmtp;
    let apiKey: string;
    let workspaceId: string;
    let app: ReturnType<typeof createApp>;

    beforeAll(async () => {
      database = await backend.open();
      services = await testServices(database);
      sink = await startDevSmtp(database.db, { port: 0, maxMessageBytes: 64 * 1024, secret: services.secrets.links });
      ({ apiKey, workspaceId } = await createWorkspace(database.db, 'inbox test'));
      app = createApp(services);
      app.route('/v1', devInboxRoutes(services));
      app.route('/', devInboxPageRoutes());
    }, 60_000);
    afterAll(async () => {
      await sink?.close();
      await database?.close();
    });

    const client = () =>
      nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true });
    const get = (path: string, token: string | null = apiKey) =>
      app.request(path, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });

    it('accepts any mail on 127.0.0.1 and stores envelope, subject, Message-ID and source', async () => {
      const info = await client().sendMail({
        from: 'Shop <shop@example.test>',
        to: 'Fay <fay@example.test>',
        cc: 'gus@example.test',
        subject: 'Grüße ✓ from the sink',
        text: 'plain body',
        html: '<p>html body</p>',
        messageId: '<fixed-id@example.test>',
      });
      expect(info.accepted).toEqual(['fay@example.test', 'gus@example.test']);
      const [row] = await database.db.select().from(devInbox).orderBy(desc(devInbox.id)).limit(1);
      expect(row).toMatchObject({
        envelopeFrom: 'shop@example.test',
        envelopeTo: ['fay@example.test', 'gus@example.test'],
        subject: 'Grüße ✓ from the sink',
        messageId: '<fixed-id@example.test>',
      });
      expect(row?.raw).toContain('plain body');
    });

    it('refuses a message over the size limit with 552 and stores nothing', async () => {
      const before = (await database.db.select({ id: devInbox.id }).from(devInbox)).length;
      const err = await client()
        .sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'big', text: 'x'.repeat(100 * 1024) })
        .then(
          () => null,
          (e: { responseCode?: number }) => e,
        );
      expect(err?.responseCode).toBe(552);
      expect((await database.db.select({ id: devInbox.id }).from(devInbox)).length).toBe(before);
    });

    it('stores a burst of messages, writing them in batches', async () => {
      const pool = nodemailer.createTransport({
        host: '127.0.0.1',
        port: sink.port,
        ignoreTLS: true,
        pool: true,
        maxConnections: 5,
      });
      const before = (await database.db.select({ id: devInbox.id }).from(devInbox)).length;
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          pool.sendMail({ from: 'a@example.test', to: `r${i}@example.test`, subject: `burst ${i}`, text: 'hi' }),
        ),
      );
      pool.close();
      expect((await database.db.select({ id: devInbox.id }).from(devInbox)).length).toBe(before + 100);
    });

    it('lists messages newest first and shows one parsed, with the HTML ready for a sandboxed frame', async () => {
      const template = await addTemplate(database.db, workspaceId, { subject: 'Welcome {{ contact.first_name }}' });
      const contact = await addContact(database.db, workspaceId, {
        email: 'hal@example.test',
        attributes: { first_name: 'Hal' },
      });
      await addEmails(database.db, workspaceId, [{ contactId: contact, payload: { template } }]);
      const ida = await addContact(database.db, workspaceId, { email: 'ida@example.test' });
      await addEmails(database.db, workspaceId, [{ contactId: ida, payload: { template } }]);
      const delivery = createDelivery(services, {
        smtpUrl: `smtp://127.0.0.1:${sink.port}`,
        devSinkSecret: services.secrets.links,
      });
      expect(await delivery.runOnce()).toBe(2);
      await delivery.stop();

      const list = await get('/v1/dev/inbox?limit=3');
      expect(list.status).toBe(200);
      const { messages } = (await list.json()) as {
        messages: { id: number; subject: string; envelope: { to: string[] } }[];
      };
      // Only the workspace's own two: the mail sent straight to the sink above carries no workspace.
      expect(messages).toHaveLength(2);
      expect(messages[0]?.id).toBeGreaterThan(messages[1]?.id ?? Number.POSITIVE_INFINITY);
      expect(messages.map((m) => m.envelope.to).sort()).toEqual([['hal@example.test'], ['ida@example.test']]);
      const hal = messages.find((m) => m.envelope.to[0] === 'hal@example.test');
      expect(hal).toMatchObject({ subject: 'Welcome Hal' });

      const one = await get(`/v1/dev/inbox/${hal?.id}`);
      expect(one.status).toBe(200);
      const m = (await one.json()) as Record<string, unknown> & { headers: { name: string; value: string }[] };
      expect(m).toMatchObject({ subject: 'Welcome Hal', from: '"Acme" <news@acme.test>', to: 'hal@example.test' });
      expect(m.text).toContain('Hello Hal!');
      expect(m.html).toContain('Hello Hal!');
      expect(m.headers.find((h) => h.name === 'List-Unsubscribe-Post')?.value).toBe('List-Unsubscribe=One-Click');
      expect(m.headers.find((h) => h.name === 'List-Unsubscribe')?.value).toMatch(/^<http:\/\/waymark\.test\/u\//);
      // The workspace mark is for the sink alone: stored in a column, removed from the message.
      expect(m.headers.map((h) => h.name.toLowerCase())).not.toContain('x-waymark-workspace');
      expect(m.previewHtml).toMatch(
        /<head><meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;/,
      );
    });

    it("never shows a workspace another workspace's mail, nor mail with a missing or forged mark", async () => {
      const other = await createWorkspace(database.db, 'inbox test B');
      const template = await addTemplate(database.db, other.workspaceId, { subject: 'For B only' });
      const contact = await addContact(database.db, other.workspaceId, { email: 'bea@example.test' });
      await addEmails(database.db, other.workspaceId, [{ contactId: contact, payload: { template } }]);
      const delivery = createDelivery(services, {
        smtpUrl: `smtp://127.0.0.1:${sink.port}`,
        devSinkSecret: services.secrets.links,
      });
      expect(await delivery.runOnce()).toBe(1);
      await delivery.stop();
      // Someone on the machine claims workspace A for a message, with a signature that does not fit it.
      const [signed] = await database.db
        .select({ raw: devInbox.raw, messageId: devInbox.messageId, workspaceId: devInbox.workspaceId })
        .from(devInbox)
        .where(eq(devInbox.workspaceId, workspaceId))
        .limit(1);
      expect(signed?.raw).not.toMatch(/x-waymark-workspace/i);
      await client().sendMail({
        from: 'x@example.test',
        to: 'victim@example.test',
        subject: 'forged',
        text: 'hi',
        headers: { 'X-Waymark-Workspace': `${workspaceId} ${'A'.repeat(43)}` },
      });
      const [forged] = await database.db.select().from(devInbox).orderBy(desc(devInbox.id)).limit(1);
      expect(forged).toMatchObject({ subject: 'forged', workspaceId: null });
      expect(forged?.raw).not.toMatch(/x-waymark-workspace/i);

      const asB = (path: string) => get(path, other.apiKey);
      const listB = (await (await asB('/v1/dev/inbox?limit=500')).json()) as {
        messages: { id: number; subject: string }[];
      };
      expect(listB.messages.map((m) => m.subject)).toEqual(['For B only']);
      const listA = (await (await get('/v1/dev/inbox?limit=500')).json()) as {
        messages: { id: number; subject: string }[];
      };
      expect(listA.messages.length).toBeGreaterThan(0);
      expect(listA.messages.map((m) => m.subject)).not.toContain('For B only');
      expect(listA.messages.map((m) => m.subject)).not.toContain('forged');
      for (const m of listA.messages) {
        const read = await asB(`/v1/dev/inbox/${m.id}`);
        expect(read.status).toBe(404);
        expect(JSON.stringify(await read.json())).not.toContain('example.test');
      }
      expect((await get(`/v1/dev/inbox/${forged?.id}`)).status).toBe(404);
      expect((await get(`/v1/dev/inbox/${listB.messages[0]?.id}`)).status).toBe(404);
      expect((await asB(`/v1/dev/inbox/${listB.messages[0]?.id}`)).status).toBe(200);
    });

    it('refuses an editor token limited to one journey (403) and serves a workspace-wide one', async () => {
      const list = (await (await get('/v1/dev/inbox?limit=500')).json()) as { messages: { id: number }[] };
      const someId = list.messages[0]?.id;
      expect(someId).toBeDefined();
      const token = async (scope: { journeyId?: string; access: 'edit' | 'read' }) =>
        (await issueEditorToken(services.secrets.tokens, { workspaceId, ttlSeconds: 600, ...scope })).token;
      const scoped = await token({ journeyId: 'welcome', access: 'edit' });
      for (const path of ['/v1/dev/inbox', `/v1/dev/inbox/${someId}`]) {
        const res = await get(path, scoped);
        expect(res.status).toBe(403);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('forbidden');
        expect(body.error.message).toBe(
          'the development inbox needs an API key or an editor token for the whole workspace; this editor token is limited to journey "welcome"',
        );
        expect(JSON.stringify(body)).not.toContain('example.test');
      }
      for (const wide of [await token({ access: 'read' }), await token({ access: 'edit' })]) {
        const res = await get('/v1/dev/inbox?limit=500', wide);
        expect(res.status).toBe(200);
        expect(((await res.json()) as { messages: { id: number }[] }).messages.map((m) => m.id)).toEqual(
          list.messages.map((m) => m.id),
        );
        expect((await get(`/v1/dev/inbox/${someId}`, wide)).status).toBe(200);
      }
    });

    it('answers 401 without credentials, 404 for an unknown id, 400 for a bad limit', async () => {
      expect((await get('/v1/dev/inbox', null)).status).toBe(401);
      const missing = await get('/v1/dev/inbox/999999');
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
      expect((await get('/v1/dev/inbox?limit=0')).status).toBe(400);
    });

    it('is off (404) when a real SMTP server is configured', async () => {
      const real = await testServices(database, { SMTP_URL: 'smtp://mail.example.test:587' });
      const other = createApp(real);
      other.route('/v1', devInboxRoutes(real));
      const res = await other.request('/v1/dev/inbox', { headers: { authorization: `Bearer ${apiKey}` } });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { message: expect.stringContaining('SMTP_URL') } });
    });

    it('serves the inbox page with a nonce-only script policy and sandboxed email frames', async () => {
      const res = await get('/inbox', null);
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce).toBeTruthy();
      expect(
        csp
          .split(';')
          .find((d) => d.trim().startsWith('script-src'))
          ?.trim(),
      ).toBe(`script-src 'nonce-${nonce}'`);
      expect(csp).toContain("frame-ancestors 'none'");
      const html = await res.text();
      expect(html).toContain(`<script nonce="${nonce}">`);
      expect(html).toContain(JSON.stringify(emailFrameSandbox));
      expect(html).toContain('sessionStorage');
      expect(html).not.toContain('innerHTML');
      const again = await get('/inbox', null);
      expect(again.headers.get('content-security-policy')).not.toBe(csp);
    });
  });
}
