import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { savePreferences } from '../audience/preferences.ts';
import type { Database } from '../db/client.ts';
import { contactPreferences, type EmailFrequency } from '../db/preferences-schema.ts';
import { consents, heldEmails, nodeStats, outbox } from '../db/schema.ts';
import type { Services } from '../services.ts';
import { testBackends } from '../testing/databases.ts';
import { addContact, addEmails, addTemplate, addWorkspace } from '../testing/fixtures.ts';
import { testServices } from '../testing/services.ts';
import { startTestSmtp } from '../testing/smtp-sink.ts';
import { unsubscribe } from '../tracking/engagement.ts';
import { composeDigest, digestDelayMs, gatherDueDigests } from './digest.ts';
import { createDelivery, type Delivery } from './worker.ts';

const mjml = (text: string) =>
  `<mjml><mj-body><mj-section><mj-column><mj-text>${text}</mj-text></mj-column></mj-section></mj-body></mjml>`;

describe('composeDigest', () => {
  it('puts each email in its own section, its markup kept inside it, with one footer of the digest links', () => {
    const digest = composeDigest({
      workspaceName: 'Acme & Co',
      parts: [
        {
          subject: 'News <today>',
          html: '<html><head><style>body { display: none }</style></head><body><div>Hello</div></td></table></body></html>',
          text: 'Hello\n',
        },
        { subject: 'Offer', html: '<body><table><tr><td>20% off</body>', text: '20% off' },
      ],
      links: { preferencesUrl: 'https://w.test/p/P', unsubscribeUrl: 'https://w.test/u/U' },
    });
    expect(digest.subject).toBe('Your weekly digest: 2 updates');
    expect(digest.html).toContain('Your weekly digest from Acme &amp; Co');
    expect(digest.html).toContain('>News &lt;today&gt;</h2>');
    expect(digest.html).toContain('<tr><td><div>Hello</div></td></tr>');
    expect(digest.html).toContain('<tr><td><table><tr><td>20% off</td></tr></table></td></tr>');
    expect(digest.html).not.toContain('display: none');
    expect(digest.html.match(/Email preferences/g)).toHaveLength(1);
    expect(digest.html).toContain('href="https://w.test/u/U"');
    expect(digest.text).toContain('News <today>\n============\n\nHello');
    expect(digest.text).toContain('Offer\n=====\n\n20% off');
    expect(digest.text).toMatch(/Email preferences: https:\/\/w\.test\/p\/P\nUnsubscribe: https:\/\/w\.test\/u\/U\n$/);
    expect(composeDigest({ ...digestOf1() }).subject).toBe('Your weekly digest: 1 update');
  });
});

function digestOf1() {
  return {
    workspaceName: 'W',
    parts: [{ subject: 'S', html: '<body>x</body>', text: 'x' }],
    links: { preferencesUrl: 'https://w.test/p/P', unsubscribeUrl: 'https://w.test/u/U' },
  };
}

for (const backend of testBackends) {
  describe.skipIf(backend.skip)(`weekly digest delivery (${backend.name})`, () => {
    let database: Database;
    let services: Services;
    let smtp: Awaited<ReturnType<typeof startTestSmtp>>;
    let delivery: Delivery;
    // The delivery's clock: tests move it instead of waiting a week.
    let now = Date.now();

    beforeAll(async () => {
      database = await backend.open();
      services = await testServices(database);
      services.clock = () => now;
      smtp = await startTestSmtp();
      delivery = createDelivery(services, { smtpUrl: smtp.url, digestPollMs: 0 });
    }, 60_000);
    afterAll(async () => {
      await delivery?.stop();
      await smtp?.close();
      await database?.close();
    });

    /** A workspace with a newsletter, an offer (both marketing: a topic) and a receipt (none). */
    async function setup() {
      const ws = await addWorkspace(services.db);
      const news = await addTemplate(services.db, ws, {
        subject: 'News for {{ contact.first_name }}',
        mjml: mjml('Hello {{ contact.first_name }}, <a href="https://shop.example/news">read on</a>'),
        topic: 'newsletter',
      });
      const offer = await addTemplate(services.db, ws, { subject: 'Offer', mjml: mjml('20% off'), topic: 'offers' });
      const receipt = await addTemplate(services.db, ws, { subject: 'Receipt', mjml: mjml('Thanks') });
      return { ws, news, offer, receipt };
    }
    async function contact(ws: string, frequency: EmailFrequency, name: string) {
      const id = await addContact(services.db, ws, { attributes: { first_name: name } });
      await services.db.insert(contactPreferences).values({ workspaceId: ws, contactId: id, frequency });
      return id;
    }
    const rowsOf = (ids: number[]) =>
      services.db.select().from(outbox).where(inArray(outbox.id, ids)).orderBy(outbox.id);
    const digestsOf = (ws: string) =>
      services.db
        .select()
        .from(outbox)
        .where(and(eq(outbox.workspaceId, ws), sql`${outbox.payload}->>'digest' = 'true'`))
        .orderBy(outbox.id);
    const heldContent = (ids: number[]) =>
      services.db.select().from(heldEmails).where(inArray(heldEmails.outboxId, ids));
    const mailsTo = (address: string) => smtp.received.filter((m) => m.envelope.to.includes(address));
    async function statsOf(ws: string): Promise<Record<string, number>> {
      const rows = await services.db.select().from(nodeStats).where(eq(nodeStats.workspaceId, ws));
      return Object.fromEntries(rows.map((r) => [`${r.node}/${r.metric}`, r.count]));
    }
    const withdraw = (ws: string, contactId: string, topic: string) =>
      services.db.insert(consents).values({ workspaceId: ws, contactId, topic, status: 'withdrawn', source: 'api' });

    it('holds marketing email, sends service email at once, and one digest a week after the first held', async () => {
      now = Date.now();
      const { ws, news, offer, receipt } = await setup();
      const ann = await contact(ws, 'digest', 'Ann');
      const address = `${ann}@example.test`;
      const ids = await addEmails(services.db, ws, [
        { contactId: ann, payload: { template: news }, node: 'news' },
        { contactId: ann, payload: { template: offer }, node: 'offer' },
        { contactId: ann, payload: { template: receipt }, node: 'receipt' },
      ]);
      await delivery.runOnce();
      const held = await rowsOf(ids);
      expect(held.map((r) => [r.status, r.lastError, r.digestId])).toEqual([
        ['held', 'digest', null],
        ['held', 'digest', null],
        ['sent', null, null],
      ]);
      expect(await Promise.all(mailsTo(address).map(async (m) => (await m.parse()).subject))).toEqual(['Receipt']);
      const content = await heldContent(ids);
      expect(content.map((c) => c.subject).sort()).toEqual(['News for Ann', 'Offer']);
      // A section of the digest: tracked links and pixel, but not the footer every email gets alone.
      const newsContent = content.find((c) => c.subject === 'News for Ann');
      expect(newsContent?.html).toMatch(/href="http:\/\/waymark\.test\/t\/c\//);
      expect(newsContent?.html).not.toContain('Email preferences');
      expect(await statsOf(ws)).toEqual({ 'news/held:digest': 1, 'offer/held:digest': 1, 'receipt/sent': 1 });

      // A minute short of the week: nothing yet.
      now += digestDelayMs - 60_000;
      await delivery.runOnce();
      expect(await digestsOf(ws)).toEqual([]);

      now += 120_000;
      expect(await delivery.runOnce()).toBe(1);
      const [digest] = await digestsOf(ws);
      expect(digest).toMatchObject({ status: 'sent', contactId: ann, key: `digest:${ids[0]}`, journeyId: '' });
      const mails = mailsTo(address);
      expect(mails).toHaveLength(2);
      const mail = await mails[1]?.parse();
      expect(mail?.subject).toBe('Your weekly digest: 2 updates');
      expect(mail?.messageId).toBe(digest?.messageId);
      expect(mail?.html).toMatch(/>News for Ann<\/h2>[\s\S]*Hello Ann[\s\S]*>Offer<\/h2>[\s\S]*20% off/);
      expect(String(mail?.html).match(/\/t\/o\//g)).toHaveLength(2);
      expect(String(mail?.html).match(/Email preferences/g)).toHaveLength(1);
      expect(mail?.text).toMatch(/News for Ann\n=+\n\nHello Ann, read on \[http:\/\/waymark\.test\/t\/c\/\S+\]/);
      expect(mail?.text).toContain('20% off');
      const header = (name: string) => mail?.headerLines.find((h) => h.key === name)?.line.replace(/\r?\n[ \t]+/g, ' ');
      expect(header('list-unsubscribe')).toMatch(/<http:\/\/waymark\.test\/u\/[\w-]+\.[\w-]+>, <mailto:/);
      expect(header('list-unsubscribe-post')).toContain('List-Unsubscribe=One-Click');

      const carried = await rowsOf(ids.slice(0, 2));
      expect(carried.map((r) => [r.status, r.digestId, r.messageId])).toEqual([
        ['digested', digest?.id, digest?.messageId],
        ['digested', digest?.id, digest?.messageId],
      ]);
      expect(await heldContent(ids)).toEqual([]);
      expect(await statsOf(ws)).toEqual({
        'news/held:digest': 1,
        'offer/held:digest': 1,
        'news/digested': 1,
        'offer/digested': 1,
        'receipt/sent': 1,
      });

      // The next marketing email starts the next week's digest.
      const [next] = await addEmails(services.db, ws, [{ contactId: ann, payload: { template: news }, node: 'news' }]);
      await delivery.runOnce();
      expect((await rowsOf([next as number]))[0]).toMatchObject({ status: 'held', digestId: null });
      expect(await digestsOf(ws)).toHaveLength(1);
    });

    it('leaves out an email whose topic was withdrawn meanwhile, and sends no digest when none is left', async () => {
      now = Date.now();
      const { ws, news, offer } = await setup();
      const bob = await contact(ws, 'digest', 'Bob');
      const cy = await contact(ws, 'digest', 'Cy');
      const ids = await addEmails(services.db, ws, [
        { contactId: bob, payload: { template: news }, node: 'news' },
        { contactId: bob, payload: { template: offer }, node: 'offer' },
        { contactId: cy, payload: { template: news }, node: 'news' },
      ]);
      await delivery.runOnce();
      expect((await rowsOf(ids)).map((r) => r.status)).toEqual(['held', 'held', 'held']);
      await withdraw(ws, bob, 'newsletter');
      await withdraw(ws, cy, 'newsletter');

      now += digestDelayMs + 1000;
      await delivery.runOnce();
      const digests = await digestsOf(ws);
      expect(digests.map((d) => [d.contactId, d.status, d.lastError])).toEqual(
        expect.arrayContaining([
          [bob, 'sent', null],
          [cy, 'skipped', 'digest_empty'],
        ]),
      );
      expect(digests).toHaveLength(2);
      expect(mailsTo(`${cy}@example.test`)).toEqual([]);
      const [mail] = await Promise.all(mailsTo(`${bob}@example.test`).map((m) => m.parse()));
      expect(mail?.subject).toBe('Your weekly digest: 1 update');
      expect(mail?.html).not.toContain('News for Bob');
      expect(mail?.text).not.toContain('Hello Bob');
      expect((await rowsOf(ids)).map((r) => [r.status, r.lastError])).toEqual([
        ['skipped', 'consent'],
        ['digested', null],
        ['skipped', 'consent'],
      ]);
      expect(await heldContent(ids)).toEqual([]);
      expect(await statsOf(ws)).toEqual({
        'news/held:digest': 2,
        'offer/held:digest': 1,
        'news/skipped:consent': 2,
        'offer/digested': 1,
      });
    });

    it('gathers a digest once when two gather at once, and resends it with the same Message-ID after a crash', async () => {
      now = Date.now();
      const { ws, news, offer } = await setup();
      const dee = await contact(ws, 'digest', 'Dee');
      const ids = await addEmails(services.db, ws, [
        { contactId: dee, payload: { template: news }, node: 'news' },
        { contactId: dee, payload: { template: offer }, node: 'offer' },
      ]);
      await delivery.runOnce();
      now += digestDelayMs + 1000;
      const made = await Promise.all([gatherDueDigests(services.db, now), gatherDueDigests(services.db, now)]);
      expect(made[0] + made[1]).toBe(1);
      const [digest] = await digestsOf(ws);
      expect(digest).toMatchObject({ status: 'pending', payload: { digest: true, emails: 2 } });
      expect((await rowsOf(ids)).map((r) => [r.status, r.digestId])).toEqual([
        ['held', digest?.id],
        ['held', digest?.id],
      ]);
      const kept = await heldContent(ids);

      await delivery.runOnce();
      // As if the worker died after the server's 250 and before its commit: the digest still
      // `sending` with its lease over, its emails still held with their content.
      await services.db
        .update(outbox)
        .set({ status: 'sending', messageId: null, leaseUntil: new Date(Date.now() - 1000) })
        .where(eq(outbox.id, digest?.id as number));
      await services.db
        .update(outbox)
        .set({ status: 'held', messageId: null, lastError: 'digest' })
        .where(inArray(outbox.id, ids));
      await services.db.insert(heldEmails).values(kept);
      expect(await delivery.runOnce()).toBe(1);

      const mails = await Promise.all(mailsTo(`${dee}@example.test`).map((m) => m.parse()));
      expect(mails.map((m) => m.subject)).toEqual(['Your weekly digest: 2 updates', 'Your weekly digest: 2 updates']);
      expect(mails[1]?.messageId).toBe(mails[0]?.messageId);
      expect((await digestsOf(ws)).map((d) => [d.status, d.attempts, d.messageId])).toEqual([
        ['sent', 2, mails[0]?.messageId],
      ]);
      expect((await rowsOf(ids)).map((r) => r.status)).toEqual(['digested', 'digested']);
      expect(await heldContent(ids)).toEqual([]);
    });

    it('drops held emails on an unsubscribe, and releases them as one digest at once when the digest is left', async () => {
      now = Date.now();
      const { ws, news, offer } = await setup();
      const erin = await contact(ws, 'digest', 'Erin');
      const fay = await contact(ws, 'digest', 'Fay');
      const ids = await addEmails(services.db, ws, [
        { contactId: erin, payload: { template: news }, node: 'news' },
        { contactId: fay, payload: { template: news }, node: 'news' },
        { contactId: fay, payload: { template: offer }, node: 'offer' },
      ]);
      await delivery.runOnce();
      expect((await rowsOf(ids)).map((r) => r.status)).toEqual(['held', 'held', 'held']);

      expect(await unsubscribe(services.db, ids[0] as number)).toBe(`${erin}@example.test`);
      expect((await rowsOf(ids.slice(0, 1)))[0]).toMatchObject({ status: 'skipped', lastError: 'suppressed' });
      expect(await heldContent(ids.slice(0, 1))).toEqual([]);

      const saved = await savePreferences(
        services.db,
        { workspaceId: ws, contactId: fay, messageId: ids[1] as number },
        { topics: new Map(), frequency: 'every', pause: 'keep' },
        { ip: undefined, userAgent: undefined },
      );
      expect(saved).toEqual({ consents: 0, preferences: true, released: 2 });
      // No week to wait: the digest is due now.
      await delivery.runOnce();
      const [mail] = await Promise.all(mailsTo(`${fay}@example.test`).map((m) => m.parse()));
      expect(mail?.subject).toBe('Your weekly digest: 2 updates');
      expect((await rowsOf(ids.slice(1))).map((r) => r.status)).toEqual(['digested', 'digested']);

      const [later] = await addEmails(services.db, ws, [{ contactId: fay, payload: { template: news }, node: 'news' }]);
      await delivery.runOnce();
      expect((await rowsOf([later as number]))[0]?.status).toBe('sent');
      expect(await statsOf(ws)).toMatchObject({
        'news/skipped:suppressed': 1,
        'news/unsubscribed': 1,
        'news/digested': 1,
        'offer/digested': 1,
        'news/sent': 1,
      });
    });
  });
}
