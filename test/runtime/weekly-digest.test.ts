import { sql } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { mjmlBody, publishSendOnEvent, sendAndSettle } from '../support/journeys.ts';
import { formFields, postForm, preferenceLink, withField } from '../support/preference-form.ts';
import { type DatabaseKind, eventually, queryRows, useTestRuntime } from '../support/runtime.ts';

const kinds: DatabaseKind[] = ['pglite', 'postgres'];
const day = 86_400_000;

const templates = [
  {
    id: 'news',
    name: 'News',
    subject: 'News for {{ contact.first_name }}',
    topic: 'newsletter',
    mjml: mjmlBody('<mj-text>Our news, {{ contact.first_name }}</mj-text>'),
  },
  { id: 'offer', name: 'Offer', subject: 'Offer', topic: 'offers', mjml: mjmlBody('<mj-text>20% off</mj-text>') },
  { id: 'receipt', name: 'Receipt', subject: 'Receipt', mjml: mjmlBody('<mj-text>Thanks for your order</mj-text>') },
];

describe.each(kinds)('the weekly digest on %s', (kind) => {
  // The delivery reads this clock for the digest's week: tests move it instead of waiting.
  let now = Date.now();
  const suite = useTestRuntime(kind, {
    smtp: true,
    overrides: { clock: () => now, delivery: { pollMs: 200, digestPollMs: 0 } },
  });
  const skip = suite.skip;

  const rows = <T>(query: ReturnType<typeof sql>) => queryRows<T>(suite.t, query);
  type Row = { id: number; status: string; last_error: string | null; template: string; digest_id: number | null };
  /** The contact's settled emails of journeys (not its digests), oldest first. */
  const settled = (contactId: string) =>
    rows<Row>(
      sql`select id, status, last_error, payload->>'template' as template, digest_id from outbox
          where kind = 'email' and contact_id = ${contactId} and payload->>'digest' is null
            and status not in ('pending', 'sending') order by id`,
    );
  const digestsOf = (contactId: string) =>
    rows<{ id: number; status: string; last_error: string | null; message_id: string | null }>(
      sql`select id, status, last_error, message_id from outbox
          where contact_id = ${contactId} and payload->>'digest' = 'true' order by id`,
    );
  const heldContent = (contactId: string) =>
    rows(
      sql`select h.outbox_id from held_emails h join outbox o on o.id = h.outbox_id where o.contact_id = ${contactId}`,
    );

  /** Sends `template` to a contact through its journey; resolves with how the email was settled. */
  const send = (contactId: string, template: string) => sendAndSettle(suite.t, settled, contactId, template);

  const mailsTo = (address: string) => suite.smtp.received.filter((m) => m.envelope.to.includes(address));
  const subjectsTo = async (address: string) =>
    Promise.all(mailsTo(address).map(async (m) => (await m.parse()).subject));
  /** The digest emails the SMTP server received for `address`, once `count` have arrived. */
  async function digestsTo(address: string, count: number): Promise<ParsedMail[]> {
    return eventually(
      async () => {
        const parsed = await Promise.all(mailsTo(address).map((m) => m.parse()));
        const digests = parsed.filter((m) => m.subject?.startsWith('Your weekly digest'));
        return digests.length >= count ? digests : undefined;
      },
      20_000,
      `${count} digest(s) to ${address}`,
    );
  }

  const getPage = async (url: string) => (await fetch(url)).text();
  async function choose(link: string, change: (fields: [string, string][]) => [string, string][]) {
    expect((await postForm(link, change(formFields(await getPage(link), 0)))).status).toBe(303);
  }
  const stats = async (journey: string) =>
    (await suite.t.api<{ nodes: Record<string, Record<string, number>> }>('GET', `/v1/journeys/${journey}/stats`)).body
      .nodes;

  it.skipIf(skip)(
    'sets up topics, templates, journeys and contacts',
    async () => {
      const { t } = suite;
      expect((await t.api('POST', '/v1/topics', { id: 'newsletter', name: 'Newsletter' })).status).toBe(201);
      expect((await t.api('POST', '/v1/topics', { id: 'offers', name: 'Offers' })).status).toBe(201);
      await publishSendOnEvent(t, templates);
      const names = { ann: 'Ann', bob: 'Bob', cy: 'Cy', dee: 'Dee' };
      const created = await t.api('POST', '/v1/contacts', {
        contacts: Object.entries(names).map(([id, name]) => ({
          id,
          email: `${id}@example.com`,
          attributes: { first_name: name },
        })),
      });
      expect(created.status).toBeLessThan(300);
      // Each gets a receipt first: its preference link is how they choose the digest.
      for (const id of Object.keys(names)) expect(await send(id, 'receipt')).toEqual({ status: 'sent', reason: null });
    },
    60_000,
  );

  it.skipIf(skip)(
    'holds the marketing email of a digest contact while service email goes out at once; page and export show it',
    async () => {
      const { t } = suite;
      const link = await preferenceLink(suite.smtp, 'ann@example.com');
      await choose(link, (f) => withField(f, 'frequency', 'digest'));
      expect(await getPage(link)).toMatch(/id="frequency-digest" name="frequency" value="digest" checked/);
      const audit = await t.api<{ entries: { details: Record<string, unknown> }[] }>(
        'GET',
        '/v1/audit?action=contact.preferences_changed&subjectId=ann',
      );
      expect(audit.body.entries.map((e) => e.details)).toEqual([
        expect.objectContaining({ frequency: 'digest', previous: { frequency: 'every', pausedUntil: null } }),
      ]);

      expect(await send('ann', 'news')).toEqual({ status: 'held', reason: 'digest' });
      expect(await send('ann', 'offer')).toEqual({ status: 'held', reason: 'digest' });
      expect(await send('ann', 'receipt')).toEqual({ status: 'sent', reason: null });
      expect(await subjectsTo('ann@example.com')).toEqual(['Receipt', 'Receipt']);

      expect(await getPage(link)).toContain(
        '2 emails are waiting for your next digest. Choosing another option sends them to you now, in one email.',
      );
      const exported = await t.api<{
        preferences: { frequency: string };
        heldForDigest: { subject: string; text: string; digest: number | null }[];
      }>('GET', '/v1/contacts/ann/export');
      expect(exported.body.preferences.frequency).toBe('digest');
      expect(exported.body.heldForDigest.map((h) => [h.subject, h.digest])).toEqual([
        ['News for Ann', null],
        ['Offer', null],
      ]);
      expect(exported.body.heldForDigest[0]?.text).toContain('Our news, Ann');
      expect((await stats('j-news'))['mail-news']).toMatchObject({ 'held:digest': 1 });
      expect((await stats('j-offer'))['mail-offer']).toMatchObject({ 'held:digest': 1 });
    },
    60_000,
  );

  it.skipIf(skip)(
    'sends one digest a week after the first held email, with each one in it, and settles them into it',
    async () => {
      // Six days on: not yet.
      now += 6 * day;
      expect(await send('ann', 'receipt')).toEqual({ status: 'sent', reason: null });
      expect(await digestsOf('ann')).toEqual([]);

      now += day + 60_000;
      const [digest] = await digestsTo('ann@example.com', 1);
      expect(digest?.subject).toBe('Your weekly digest: 2 updates');
      expect(digest?.html).toMatch(/>News for Ann<\/h2>[\s\S]*Our news, Ann[\s\S]*>Offer<\/h2>[\s\S]*20% off/);
      expect(digest?.text).toMatch(/News for Ann\n=+\n\nOur news, Ann[\s\S]*Offer\n=+\n\n20% off/);
      const header = (name: string) =>
        digest?.headerLines.find((h) => h.key === name)?.line.replace(/\r?\n[ \t]+/g, ' ');
      expect(header('list-unsubscribe')).toMatch(/<http:\/\/localhost:\d+\/u\/[\w-]+\.[\w-]+>, <mailto:/);
      expect(header('list-unsubscribe-post')).toContain('List-Unsubscribe=One-Click');
      // The digest's own preference link works like any email's.
      const link = /href="(http:\/\/localhost:\d+\/p\/[^"]+)"[^>]*>Email preferences/.exec(String(digest?.html))?.[1];
      expect(await getPage(link as string)).toContain('<strong>ann@example.com</strong>');

      const [row] = await eventually(async () => {
        const list = await digestsOf('ann');
        return list[0]?.status === 'sent' ? list : undefined;
      });
      expect(row?.message_id).toBe(digest?.messageId);
      const carried = (await settled('ann')).filter((r) => r.template !== 'receipt');
      expect(carried.map((r) => [r.template, r.status, r.digest_id])).toEqual([
        ['news', 'digested', row?.id],
        ['offer', 'digested', row?.id],
      ]);
      expect(await heldContent('ann')).toEqual([]);
      // Exactly one digest, and nothing of it sent on its own.
      expect((await subjectsTo('ann@example.com')).filter((s) => s !== 'Receipt')).toEqual([
        'Your weekly digest: 2 updates',
      ]);
      expect((await stats('j-news'))['mail-news']).toMatchObject({ 'held:digest': 1, digested: 1 });
      expect((await stats('j-news'))['mail-news']?.sent).toBeUndefined();
    },
    60_000,
  );

  it.skipIf(skip)(
    'leaves an email whose topic was withdrawn meanwhile out of the digest',
    async () => {
      const link = await preferenceLink(suite.smtp, 'bob@example.com');
      await choose(link, (f) => withField(f, 'frequency', 'digest'));
      expect(await send('bob', 'news')).toEqual({ status: 'held', reason: 'digest' });
      expect(await send('bob', 'offer')).toEqual({ status: 'held', reason: 'digest' });
      await choose(link, (f) => f.filter(([n, v]) => !(n === 'subscribed' && v === 'newsletter')));

      now += 7 * day + 60_000;
      const [digest] = await digestsTo('bob@example.com', 1);
      expect(digest?.subject).toBe('Your weekly digest: 1 update');
      expect(digest?.html).toContain('>Offer</h2>');
      expect(digest?.html).not.toContain('Our news');
      await eventually(async () => ((await digestsOf('bob'))[0]?.status === 'sent' ? true : undefined));
      expect((await settled('bob')).map((r) => [r.template, r.status, r.last_error])).toEqual([
        ['receipt', 'sent', null],
        ['news', 'skipped', 'consent'],
        ['offer', 'digested', null],
      ]);
    },
    60_000,
  );

  it.skipIf(skip)(
    'switching back to every email releases what was held as one digest at once; later email goes out alone',
    async () => {
      const link = await preferenceLink(suite.smtp, 'cy@example.com');
      await choose(link, (f) => withField(f, 'frequency', 'digest'));
      expect(await send('cy', 'news')).toEqual({ status: 'held', reason: 'digest' });
      expect(await send('cy', 'offer')).toEqual({ status: 'held', reason: 'digest' });
      await choose(link, (f) => withField(f, 'frequency', 'every'));

      // No clock moved: the digest is due when the choice is saved.
      const [digest] = await digestsTo('cy@example.com', 1);
      expect(digest?.subject).toBe('Your weekly digest: 2 updates');
      await eventually(async () => ((await digestsOf('cy'))[0]?.status === 'sent' ? true : undefined));
      expect(await send('cy', 'news')).toEqual({ status: 'sent', reason: null });
      expect(await subjectsTo('cy@example.com')).toEqual(['Receipt', 'Your weekly digest: 2 updates', 'News for Cy']);
      expect((await settled('cy')).map((r) => r.status)).toEqual(['sent', 'digested', 'digested', 'sent']);
    },
    60_000,
  );

  it.skipIf(skip)(
    'unsubscribing from all drops the held emails at once',
    async () => {
      const link = await preferenceLink(suite.smtp, 'dee@example.com');
      await choose(link, (f) => withField(f, 'frequency', 'digest'));
      expect(await send('dee', 'news')).toEqual({ status: 'held', reason: 'digest' });
      expect((await postForm(link, formFields(await getPage(link), 1))).status).toBe(200);
      expect((await settled('dee')).map((r) => [r.template, r.status, r.last_error])).toEqual([
        ['receipt', 'sent', null],
        ['news', 'skipped', 'suppressed'],
      ]);
      expect(await heldContent('dee')).toEqual([]);
      // A week on, with delivery rounds run since (Ann's receipt went out), no digest was made for Dee.
      now += 8 * day;
      expect(await send('ann', 'receipt')).toEqual({ status: 'sent', reason: null });
      expect(await digestsOf('dee')).toEqual([]);
      expect(await subjectsTo('dee@example.com')).toEqual(['Receipt']);
    },
    60_000,
  );
});
