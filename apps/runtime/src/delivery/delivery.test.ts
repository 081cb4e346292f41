import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.ts';
import { type Database, notify } from '../db/client.ts';
import { deliveryChannel } from '../db/events.ts';
import { nodeStats, outbox, suppressions, workspaces } from '../db/schema.ts';
import type { Services } from '../services.ts';
import { testBackends } from '../testing/databases.ts';
import { addContact, addEmails, addTemplate, addWorkspace } from '../testing/fixtures.ts';
import { testServices } from '../testing/services.ts';
import { startTestSmtp } from '../testing/smtp-sink.ts';
import { trackingRoutes } from '../tracking/routes.ts';
import { claimEmails, settle } from './email-queue.ts';
import { createDelivery, type Delivery, type DeliveryOptions } from './worker.ts';

for (const backend of testBackends) {
  describe.skipIf(backend.skip)(`email delivery (${backend.name})`, () => {
    let database: Database;
    let services: Services;
    const sinks: { close(): Promise<void> }[] = [];
    const deliveries: Delivery[] = [];

    beforeAll(async () => {
      database = await backend.open();
      services = await testServices(database);
    }, 60_000);
    afterAll(async () => {
      await Promise.all(deliveries.map((d) => d.stop()));
      await Promise.all(sinks.map((s) => s.close()));
      await database?.close();
    });

    async function sink(options: Parameters<typeof startTestSmtp>[0] = {}) {
      const s = await startTestSmtp(options);
      sinks.push(s);
      return s;
    }

    function worker(options: DeliveryOptions): Delivery {
      const d = createDelivery(services, options);
      deliveries.push(d);
      return d;
    }

    const rowsOf = (ids: number[]) =>
      services.db.select().from(outbox).where(inArray(outbox.id, ids)).orderBy(outbox.id);

    async function statsOf(workspaceId: string): Promise<Record<string, number>> {
      const rows = await services.db.select().from(nodeStats).where(eq(nodeStats.workspaceId, workspaceId));
      return Object.fromEntries(rows.map((r) => [`${r.node}/${r.metric}`, r.count]));
    }

    it('sends the rendered email with merge tags, a deterministic Message-ID and RFC 8058 headers', async () => {
      const smtp = await sink();
      const ws = await addWorkspace(services.db);
      const template = await addTemplate(services.db, ws);
      const ann = await addContact(services.db, ws, {
        email: 'Ann@Example.test',
        attributes: { first_name: 'Ann <3' },
      });
      const bob = await addContact(services.db, ws, { email: 'bob@example.test' });
      const ids = await addEmails(services.db, ws, [
        { contactId: ann, payload: { template, variant: 1 } },
        { contactId: bob, payload: { template, subject: 'Special for {{ contact.first_name | default: "you" }}' } },
      ]);
      const delivery = worker({ smtpUrl: smtp.url });
      expect(await delivery.runOnce()).toBe(2);
      await delivery.stop();

      const rows = await rowsOf(ids);
      expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
      expect(rows.every((r) => r.doneAt !== null && r.leaseUntil === null && r.attempts === 1)).toBe(true);
      expect(smtp.received).toHaveLength(2);

      const mails = await Promise.all(smtp.received.map((m) => m.parse()));
      const toAnn = mails.find((m) => m.subject === 'Hi Ann <3');
      const toBob = mails.find((m) => m.subject === 'Special for you');
      expect(toAnn).toBeDefined();
      expect(toBob).toBeDefined();
      expect(toAnn?.html).toContain('Hello Ann &lt;3!');
      expect(toAnn?.text).toContain('Hello Ann <3!');
      expect(toAnn?.from?.value).toEqual([{ name: 'Acme', address: 'news@acme.test' }]);
      expect(smtp.received.map((m) => m.envelope.to[0]?.toLowerCase()).sort()).toEqual([
        'ann@example.test',
        'bob@example.test',
      ]);

      const annRow = rows[0];
      expect(toAnn?.messageId).toBe(annRow?.messageId);
      expect(annRow?.messageId).toMatch(/^<[\w-]{32}@acme\.test>$/);
      const header = (name: string) =>
        toAnn?.headerLines
          .find((h) => h.key === name)
          ?.line.replace(/\r?\n[ \t]+/g, ' ')
          .slice(name.length + 1)
          .trim();
      expect(header('list-unsubscribe')).toMatch(
        /^<http:\/\/waymark\.test\/u\/[\w-]+\.[\w-]+>, <mailto:news@acme\.test\?subject=unsubscribe>$/,
      );
      expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
      // Links go through the click redirect; the pixel is there.
      expect(toAnn?.html).toMatch(/href="http:\/\/waymark\.test\/t\/c\/[\w-]+\.[\w-]+"/);
      expect(toAnn?.html).toMatch(/<img src="http:\/\/waymark\.test\/t\/o\/[\w-]+\.[\w-]+"/);

      expect(await statsOf(ws)).toEqual({ 'send/sent': 2, 'send/arm:1:trials': 1 });
    });

    it('honours a one-click unsubscribe from the List-Unsubscribe header on the next send', async () => {
      const smtp = await sink();
      const ws = await addWorkspace(services.db);
      const template = await addTemplate(services.db, ws);
      const contact = await addContact(services.db, ws, { email: 'Carol@Example.test' });
      await addEmails(services.db, ws, [{ contactId: contact, payload: { template } }]);
      const delivery = worker({ smtpUrl: smtp.url });
      await delivery.runOnce();

      const mail = await smtp.received[0]?.parse();
      const line = mail?.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '';
      const url = new URL(/<(http[^>]+)>/.exec(line)?.[1] ?? 'http://missing/');
      const app = createApp(services);
      app.route('/', trackingRoutes(services));
      const res = await app.request(url.pathname, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(res.status).toBe(200);
      const [suppression] = await services.db.select().from(suppressions).where(eq(suppressions.workspaceId, ws));
      expect(suppression).toMatchObject({ email: 'carol@example.test', reason: 'unsubscribe' });

      const [next] = await addEmails(services.db, ws, [{ contactId: contact, payload: { template } }]);
      await delivery.runOnce();
      await delivery.stop();
      const [row] = await rowsOf([next as number]);
      expect(row).toMatchObject({ status: 'skipped', lastError: 'suppressed' });
      expect(smtp.received).toHaveLength(1);
      expect(await statsOf(ws)).toMatchObject({ 'send/sent': 1, 'send/unsubscribed': 1, 'send/skipped:suppressed': 1 });
    });

    it('fails rows whose contact has no email, or whose template or contact is missing, with coded errors', async () => {
      const smtp = await sink();
      const ws = await addWorkspace(services.db);
      const template = await addTemplate(services.db, ws);
      const broken = await addTemplate(services.db, ws, { subject: 'Hi {{ contact.name | nope }}' });
      const noEmail = await addContact(services.db, ws, { email: null });
      const ok = await addContact(services.db, ws);
      const ids = await addEmails(services.db, ws, [
        { contactId: noEmail, payload: { template } },
        { contactId: ok, payload: { template: 'no-such-template' } },
        { contactId: 'no-such-contact', payload: { template } },
        { contactId: ok, payload: { template: broken } },
      ]);
      const delivery = worker({ smtpUrl: smtp.url });
      await delivery.runOnce();
      await delivery.stop();
      const rows = await rowsOf(ids);
      expect(rows.map((r) => r.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
      expect(rows.map((r) => r.lastError?.split(':')[0])).toEqual([
        'contact_no_email',
        'template_not_found',
        'contact_not_found',
        'template_syntax',
      ]);
      expect(rows[3]?.lastError).toContain('template subject: undefined filter: nope');
      expect(smtp.received).toHaveLength(0);
      expect(await statsOf(ws)).toEqual({ 'send/failed': 4 });
    });

    it('retries a temporary 4xx answer with backoff and then sends', async () => {
      const smtp = await sink({
        rcpt: (address, attempt) =>
          address.address.startsWith('greylisted') && attempt <= 2
            ? { code: 451, message: '4.7.1 Greylisted, try again' }
            : undefined,
      });
      const ws = await addWorkspace(services.db);
      const template = await addTemplate(services.db, ws);
      const contact = await addContact(services.db, ws, { email: 'greylisted@example.test' });
      const [id] = (await addEmails(services.db, ws, [{ contactId: contact, payload: { template } }])) as [number];
      const delivery = worker({ smtpUrl: smtp.url, retryBaseMs: 150 });

      await delivery.runOnce();
      let [row] = await rowsOf([id]);
      expect(row).toMatchObject({ status: 'pending', attempts: 1, leaseUntil: null });
      expect(row?.lastError).toContain('451');
      expect(row?.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
      // Not due yet: nothing is claimed.
      expect(await delivery.runOnce()).toBe(0);

      for (let i = 0; i < 50 && row?.status !== 'sent'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        await delivery.runOnce();
        [row] = await rowsOf([id]);
      }
      await delivery.stop();
      expect(row).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
      expect(smtp.attempts.get('greylisted@example.test')).toBe(3);
      expect(smtp.received).toHaveLength(1);
      expect(await statsOf(ws)).toEqual({ 'send/sent': 1 });
    });

    it('retries when the server cannot be reached, and gives up after maxAttempts', async () => {
      const closed = await startTestSmtp();
      await closed.close();
      const ws = await addWorkspace(services.db);
      const template = await addTemplate(services.db, ws);
      const contact = await addContact(services.db, ws);
      const [id] = (await addEmails(services.db, ws, [{ contactId: contact, payload: { template } }])) as [number];
      const delivery = worker({ smtpUrl: closed.url, retryBaseMs: 1, maxAttempts: 2 });
      await delivery.runOnce();
      let [row] = await rowsOf([id]);
      expect(row).toMatchObject({ status: 'pending', attempts: 1 });
      expect(row?.lastError).toMatch(/ECONNREFUSED|connect/i);
      await new Promise((r) => setTimeout(r, 20));
      await delivery.runOnce();
      await delivery.stop();
      [row] = await rowsOf([id]);
      expect(row).toMatchObject({ status: 'failed', attempts: 2 });
      expect(row?.lastError).toMatch(/^gave_up: 2 attempts/);
    });

    it('bounces a permanent 5xx: status bounced, address suppressed, later sends skipped', async () => {
      const smtp = await sink({
        rcpt: (address) =>
          address.address.toLowerCase().startsWith('gone') ? { code: 550, message: '5.1.1 No such user' } : undefined,
      });
      const ws = await addWorkspace(services.db);
      const template = await addTemplate(services.db, ws);
      const gone = await addContact(services.db, ws, { email: 'Gone@Example.test' });
      const [id] = (await addEmails(services.db, ws, [{ contactId: gone, payload: { template } }])) as [number];
      const delivery = worker({ smtpUrl: smtp.url });
      await delivery.runOnce();
      const [row] = await rowsOf([id]);
      expect(row).toMatchObject({ status: 'bounced', attempts: 1 });
      expect(row?.lastError).toContain('550 5.1.1 No such user');
      const rows = await services.db.select().from(suppressions).where(eq(suppressions.workspaceId, ws));
      expect(rows).toEqual([expect.objectContaining({ email: 'gone@example.test', reason: 'bounce' })]);

      const [again] = (await addEmails(services.db, ws, [{ contactId: gone, payload: { template } }])) as [number];
      await delivery.runOnce();
      await delivery.stop();
      expect((await rowsOf([again]))[0]?.status).toBe('skipped');
      expect(smtp.attempts.get('gone@example.test')).toBe(1);
      expect(await statsOf(ws)).toEqual({ 'send/bounced': 1, 'send/skipped:suppressed': 1 });
    });

    it('resends a row whose worker died after the server accepted it, with the same Message-ID', async () => {
      const smtp = await sink();
      const ws = await addWorkspace(services.db);
      const template = await addTemplate(services.db, ws);
      const contact = await addContact(services.db, ws);
      const [id] = (await addEmails(services.db, ws, [{ contactId: contact, payload: { template } }])) as [number];
      const delivery = worker({ smtpUrl: smtp.url, leaseMs: 100 });
      await delivery.runOnce();
      // As if the commit after the SMTP server's 250 never happened: still `sending`, lease over.
      await services.db
        .update(outbox)
        .set({ status: 'sending', messageId: null, leaseUntil: new Date(Date.now() - 1000) })
        .where(eq(outbox.id, id));
      expect(await delivery.runOnce()).toBe(1);
      await delivery.stop();
      const [row] = await rowsOf([id]);
      expect(row).toMatchObject({ status: 'sent', attempts: 2 });
      const [first, second] = await Promise.all(smtp.received.map((m) => m.parse()));
      expect(smtp.received).toHaveLength(2);
      expect(second?.messageId).toBe(first?.messageId);
      expect(row?.messageId).toBe(first?.messageId);
    });

    it('lets a worker whose lease ran out not overwrite the outcome of the worker that took over', async () => {
      const ws = await addWorkspace(services.db);
      const template = await addTemplate(services.db, ws);
      const contact = await addContact(services.db, ws);
      const [id] = (await addEmails(services.db, ws, [{ contactId: contact, payload: { template } }])) as [number];
      const stale = await claimEmails(services.db, 10, -1);
      expect(stale.map((r) => r.id)).toEqual([id]);
      const smtp = await sink();
      const delivery = worker({ smtpUrl: smtp.url });
      expect(await delivery.runOnce()).toBe(1);
      await delivery.stop();
      expect(
        await settle(services.db, [
          { row: stale[0] as (typeof stale)[0], outcome: { status: 'failed', error: 'late' } },
        ]),
      ).toBe(0);
      expect((await rowsOf([id]))[0]).toMatchObject({ status: 'sent', attempts: 2 });
      expect(await statsOf(ws)).toEqual({ 'send/sent': 1 });
    });

    it('sends each row once when two workers claim at the same time', async () => {
      const smtp = await sink();
      const ws = await addWorkspace(services.db);
      const template = await addTemplate(services.db, ws);
      const contactIds = await Promise.all(Array.from({ length: 60 }, () => addContact(services.db, ws)));
      await addEmails(
        services.db,
        ws,
        contactIds.map((c) => ({ contactId: c, payload: { template } })),
      );
      const a = worker({ smtpUrl: smtp.url, batchSize: 7 });
      const b = worker({ smtpUrl: smtp.url, batchSize: 7 });
      const drain = async (d: typeof a) => {
        let n = 0;
        for (let k = await d.runOnce(); k > 0; k = await d.runOnce()) n += k;
        return n;
      };
      const [na, nb] = await Promise.all([drain(a), drain(b)]);
      await Promise.all([a.stop(), b.stop()]);
      expect(na + nb).toBe(60);
      expect(smtp.received).toHaveLength(60);
      const ids = new Set((await Promise.all(smtp.received.map((m) => m.parse()))).map((m) => m.messageId));
      expect(ids.size).toBe(60);
    });

    it("keeps to the workspace's send rate, putting the rest back without using up attempts", async () => {
      const smtp = await sink();
      const ws = await addWorkspace(services.db, { sendRatePerSecond: 3 });
      const template = await addTemplate(services.db, ws);
      const contactIds = await Promise.all(Array.from({ length: 5 }, () => addContact(services.db, ws)));
      const ids = await addEmails(
        services.db,
        ws,
        contactIds.map((c) => ({ contactId: c, payload: { template } })),
      );
      const delivery = worker({ smtpUrl: smtp.url, maxRateWaitMs: 0 });
      await delivery.runOnce();
      const rows = await rowsOf(ids);
      expect(rows.filter((r) => r.status === 'sent')).toHaveLength(3);
      const deferred = rows.filter((r) => r.status === 'pending');
      expect(deferred).toHaveLength(2);
      expect(
        deferred.every((r) => r.attempts === 0 && r.lastError === null && r.nextAttemptAt.getTime() > Date.now()),
      ).toBe(true);
      await new Promise((r) => setTimeout(r, 700));
      await delivery.runOnce();
      await delivery.stop();
      expect((await rowsOf(ids)).filter((r) => r.status === 'sent')).toHaveLength(5);
      await services.db.update(workspaces).set({ sendRatePerSecond: 2000 }).where(eq(workspaces.id, ws));
    });

    it('starts sending as soon as outbox rows are notified, and stops cleanly', async () => {
      const smtp = await sink();
      const ws = await addWorkspace(services.db);
      const template = await addTemplate(services.db, ws);
      const contact = await addContact(services.db, ws);
      const delivery = worker({ smtpUrl: smtp.url, pollMs: 60_000 });
      await delivery.start();
      await new Promise((r) => setTimeout(r, 50));
      const [id] = (await addEmails(services.db, ws, [{ contactId: contact, payload: { template } }])) as [number];
      const started = Date.now();
      await notify(services.db, deliveryChannel);
      while (smtp.received.length === 0 && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 10));
      await delivery.stop();
      expect(smtp.received).toHaveLength(1);
      // Well before the (one minute) poll: NOTIFY woke it.
      expect(Date.now() - started).toBeLessThan(3000);
      const [row] = await rowsOf([id]);
      expect(row?.status).toBe('sent');
      const left = await services.db
        .select()
        .from(outbox)
        .where(and(eq(outbox.workspaceId, ws), eq(outbox.status, 'sending')));
      expect(left).toHaveLength(0);
    });
  });
}
