import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { postImport } from '../support/import-csv.ts';
import { mjmlBody, publishSendOnEvent, sendAndSettle } from '../support/journeys.ts';
import { formFields, postForm, preferenceLink, withField } from '../support/preference-form.ts';
import { type DatabaseKind, eventually, queryRows, useTestRuntime } from '../support/runtime.ts';

const kinds: DatabaseKind[] = ['pglite', 'postgres'];
const userAgent = 'PreferenceTest/1.0';

const templates = [
  // Marketing (a topic); links to the preference center itself.
  {
    id: 'news',
    name: 'News',
    subject: 'News',
    topic: 'newsletter',
    mjml: mjmlBody('<mj-text>News</mj-text><mj-text><a href="{{ preferences_url }}">Manage what you get</a></mj-text>'),
  },
  // Marketing without links of its own: the footer adds them.
  { id: 'offer', name: 'Offer', subject: 'Offer', topic: 'offers', mjml: mjmlBody('<mj-text>20% off</mj-text>') },
  // No topic: a service message (a receipt), which only pauses and unsubscribes stop.
  { id: 'receipt', name: 'Receipt', subject: 'Receipt', mjml: mjmlBody('<mj-text>Thanks for your order</mj-text>') },
];

describe.each(kinds)('the hosted preference center on %s', (kind) => {
  const suite = useTestRuntime(kind, { smtp: true });
  const skip = suite.skip;

  const rows = <T>(query: ReturnType<typeof sql>) => queryRows<T>(suite.t, query);
  const settled = (contactId: string) =>
    rows<{ id: number; status: string; last_error: string | null; template: string }>(
      sql`select id, status, last_error, payload->>'template' as template from outbox
          where kind = 'email' and contact_id = ${contactId} and status not in ('pending', 'sending') order by id`,
    );

  /** Sends `template` to a contact through its journey; resolves with how the email was settled. */
  const send = (contactId: string, template: string) => sendAndSettle(suite.t, settled, contactId, template);

  const getPage = async (url: string) => {
    const res = await fetch(url, { headers: { 'user-agent': userAgent } });
    return { status: res.status, headers: res.headers, html: await res.text() };
  };

  it.skipIf(skip)(
    'sets up topics, templates and journeys',
    async () => {
      const { t } = suite;
      expect(
        (
          await t.api('POST', '/v1/topics', {
            id: 'newsletter',
            name: 'Newsletter',
            description: 'Monthly <b>news</b> & "tips"',
          })
        ).status,
      ).toBe(201);
      expect((await t.api('POST', '/v1/topics', { id: 'offers', name: 'Offers & deals' })).status).toBe(201);
      const dup = await t.api<{ error: { code: string } }>('POST', '/v1/topics', { id: 'offers', name: 'Again' });
      expect(dup.status).toBe(409);
      const bad = await t.api<{ error: { message: string } }>('POST', '/v1/topics', { id: 'Not Valid', name: '' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/^(id|name)/);
      const renamed = await t.api<{ name: string }>('PUT', '/v1/topics/offers', {
        name: 'Offers',
        description: 'Sales',
      });
      expect(renamed.body.name).toBe('Offers');
      expect((await t.api('PUT', '/v1/topics/nope', { name: 'x' })).status).toBe(404);
      const listed = await t.api<{ topics: { id: string }[] }>('GET', '/v1/topics');
      expect(listed.body.topics.map((x) => x.id)).toEqual(['newsletter', 'offers']);

      await publishSendOnEvent(t, templates);
      const created = await t.api('POST', '/v1/contacts', {
        contacts: ['ann', 'bob', 'cy', 'dee'].map((id) => ({ id, email: `${id}@example.com` })),
      });
      expect(created.status).toBeLessThan(300);
    },
    60_000,
  );

  it.skipIf(skip)(
    'puts the signed preference link in every email, and the page shows the topics, escaped',
    async () => {
      expect(await send('ann', 'news')).toEqual({ status: 'sent', reason: null });
      expect(await send('ann', 'offer')).toEqual({ status: 'sent', reason: null });
      const [news, offer] = suite.smtp.received.filter((m) => m.envelope.to.includes('ann@example.com'));
      const newsHtml = String((await news?.parse())?.html);
      const offerMail = await offer?.parse();
      // The template's own {{ preferences_url }} link, and no second one in the footer.
      expect(newsHtml).toContain('>Manage what you get</a>');
      expect(newsHtml).not.toContain('Email preferences');
      // Without links in the template, the footer adds both, in the HTML and the text part.
      expect(String(offerMail?.html)).toMatch(/href="http:\/\/localhost:\d+\/p\/[^"]+"[^>]*>Email preferences<\/a>/);
      expect(offerMail?.text).toMatch(/Email preferences: http:\/\/localhost:\d+\/p\/\S+/);
      expect(offerMail?.text).toMatch(/Unsubscribe: http:\/\/localhost:\d+\/u\/\S+/);
      // RFC 8058 one-click unsubscribe stays in the headers.
      const header = (name: string) =>
        new RegExp(`^${name}: ?(.*(?:\r?\n[ \t].*)*)`, 'im')
          .exec(String(offer?.raw))?.[1]
          ?.replace(/\r?\n[ \t]+/g, ' ');
      expect(header('List-Unsubscribe')?.trim()).toMatch(/^<http:\/\/localhost:\d+\/u\/[^>]+>/);
      expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      // The unsubscribe page offers the preference center as the gentler way out.
      const unsubscribePage = await getPage(/<(http[^>]+)>/.exec(String(header('List-Unsubscribe')))?.[1] as string);
      expect(unsubscribePage.html).toMatch(/<a href="http:\/\/localhost:\d+\/p\/[^"]+">Choose topics/);

      const page = await getPage(await preferenceLink(suite.smtp, 'ann@example.com'));
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.html).toContain('<strong>ann@example.com</strong>');
      expect(page.html).toContain('Monthly &lt;b&gt;news&lt;/b&gt; &amp; &#34;tips&#34;');
      expect(page.html).not.toContain('<b>news</b>');
      expect(page.html).toMatch(/<label for="topic-0">Newsletter/);
      expect(page.html).toMatch(/<label for="topic-1">Offers/);
      expect(page.html).toMatch(/id="topic-0" name="subscribed" value="newsletter" checked/);
      expect(page.html).not.toMatch(/<script|https?:\/\/(?!localhost)/);
      expect(formFields(page.html, 0)).toEqual([
        ['action', 'save'],
        ['topics', 'newsletter'],
        ['subscribed', 'newsletter'],
        ['topics', 'offers'],
        ['subscribed', 'offers'],
        ['frequency', 'every'],
        ['pause', 'none'],
      ]);
    },
    60_000,
  );

  it.skipIf(skip)(
    'withdrawing a topic stops later emails of that topic, with a consent record and evidence',
    async () => {
      const { t } = suite;
      const link = await preferenceLink(suite.smtp, 'ann@example.com');
      const fields = formFields((await getPage(link)).html, 0).filter(
        ([n, v]) => !(n === 'subscribed' && v === 'newsletter'),
      );
      const saved = await postForm(link, fields, userAgent);
      expect(saved.status).toBe(303);
      const after = await getPage(new URL(saved.location as string, link).toString());
      expect(after.html).toContain('Your preferences are saved.');
      expect(after.html).toMatch(/value="newsletter" aria-describedby="topic-0-hint">/);
      expect(after.html).toMatch(/value="offers" checked/);

      expect(await send('ann', 'news')).toEqual({ status: 'skipped', reason: 'consent' });
      expect(await send('ann', 'offer')).toEqual({ status: 'sent', reason: null });

      const consents = await t.api<{
        consents: { topic: string; status: string; source: string; evidence: Record<string, unknown> }[];
      }>('GET', '/v1/contacts/ann/consents');
      expect(consents.body.consents).toEqual([
        {
          topic: 'newsletter',
          status: 'withdrawn',
          source: 'preference-center',
          evidence: { ip: expect.stringMatching(/127\.0\.0\.1|::1/), userAgent, message: expect.any(Number) },
          at: expect.any(String),
        },
      ]);

      // Saving the same choices again changes nothing and records nothing.
      expect((await postForm(link, fields, userAgent)).status).toBe(303);
      const audit = await t.api<{ entries: { action: string; actor: string; ip: string | null; details: object }[] }>(
        'GET',
        '/v1/audit?subjectType=contact&subjectId=ann',
      );
      const changes = audit.body.entries.filter((e) => e.action.startsWith('consent.'));
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({
        action: 'consent.withdrawn',
        actor: 'contact',
        ip: expect.stringMatching(/127\.0\.0\.1|::1/),
        details: { source: 'preference-center', topic: 'newsletter', evidence: { userAgent } },
      });
    },
    60_000,
  );

  it.skipIf(skip)(
    'a pause skips every email until it ends',
    async () => {
      const { t } = suite;
      expect(await send('bob', 'receipt')).toEqual({ status: 'sent', reason: null });
      const link = await preferenceLink(suite.smtp, 'bob@example.com');
      const saved = await postForm(
        link,
        withField(formFields((await getPage(link)).html, 0), 'pause', '30'),
        userAgent,
      );
      expect(saved.status).toBe(303);
      const page = await getPage(link);
      expect(page.html).toMatch(/Email is paused until <time datetime="[^"]+">\d{4}-\d{2}-\d{2}<\/time>/);
      expect(formFields(page.html, 0)).toContainEqual(['pause', 'keep']);

      expect(await send('bob', 'receipt')).toEqual({ status: 'skipped', reason: 'paused' });
      expect(await send('bob', 'news')).toEqual({ status: 'skipped', reason: 'paused' });

      // The time machine: the pause ran out.
      await rows(
        sql`update contact_preferences set paused_until = now() - interval '1 second' where contact_id = 'bob'`,
      );
      expect(await send('bob', 'receipt')).toEqual({ status: 'sent', reason: null });
      const stats = await t.api<{ nodes: Record<string, Record<string, number>> }>(
        'GET',
        '/v1/journeys/j-receipt/stats',
      );
      expect(stats.body.nodes['mail-receipt']?.['skipped:paused']).toBe(1);

      const exported = await t.api<{ preferences: Record<string, unknown> }>('GET', '/v1/contacts/bob/export');
      expect(exported.body.preferences).toEqual({
        frequency: 'every',
        pausedUntil: expect.any(String),
        updatedAt: expect.any(String),
      });
      const audit = await t.api<{ entries: { action: string; details: Record<string, unknown> }[] }>(
        'GET',
        '/v1/audit?action=contact.preferences_changed&subjectId=bob',
      );
      expect(audit.body.entries).toHaveLength(1);
      expect(audit.body.entries[0]?.details).toMatchObject({
        source: 'preference-center',
        frequency: 'every',
        pausedUntil: expect.any(String),
        previous: { frequency: 'every', pausedUntil: null },
      });
    },
    60_000,
  );

  it.skipIf(skip)(
    'weekly frequency skips a second marketing email in 7 days, not service emails',
    async () => {
      expect(await send('cy', 'receipt')).toEqual({ status: 'sent', reason: null });
      const link = await preferenceLink(suite.smtp, 'cy@example.com');
      // The page promises what each does: a cap that skips the others, or a digest that gathers them.
      const offered = (await getPage(link)).html;
      expect(offered).toContain('<label for="frequency-weekly">At most one email a week');
      expect(offered).toContain('the others are skipped, not sent later');
      expect(offered).toContain('<label for="frequency-digest">A weekly digest instead of every email');
      const saved = await postForm(link, withField(formFields(offered, 0), 'frequency', 'weekly'), userAgent);
      expect(saved.status).toBe(303);
      expect((await getPage(link)).html).toMatch(/value="weekly" checked/);

      expect(await send('cy', 'offer')).toEqual({ status: 'sent', reason: null });
      expect(await send('cy', 'news')).toEqual({ status: 'skipped', reason: 'frequency_preference' });
      expect(await send('cy', 'receipt')).toEqual({ status: 'sent', reason: null });

      // The time machine: the marketing email went out 8 days ago.
      await rows(sql`update outbox set done_at = done_at - interval '8 days' where contact_id = 'cy'`);
      expect(await send('cy', 'news')).toEqual({ status: 'sent', reason: null });
      expect(await send('cy', 'offer')).toEqual({ status: 'skipped', reason: 'frequency_preference' });
    },
    60_000,
  );

  it.skipIf(skip)(
    'unsubscribing from all suppresses the address at once and lands in the audit trail',
    async () => {
      const { t } = suite;
      expect(await send('dee', 'receipt')).toEqual({ status: 'sent', reason: null });
      const link = await preferenceLink(suite.smtp, 'dee@example.com');
      const done = await postForm(link, formFields((await getPage(link)).html, 1), userAgent);
      expect(done.status).toBe(200);
      expect(done.html).toContain('<strong>dee@example.com</strong> will no longer receive');

      const suppressions = await t.api<{ suppressions: { email: string; reason: string; detail: string }[] }>(
        'GET',
        '/v1/suppressions',
      );
      expect(suppressions.body.suppressions).toContainEqual({
        email: 'dee@example.com',
        reason: 'unsubscribe',
        detail: expect.stringContaining('preference-center'),
        createdAt: expect.any(String),
      });
      // A suppressed contact gets no email queued at all: the journey counts the skip.
      const mailed = suite.smtp.received.length;
      expect((await t.api('POST', '/v1/events', { contactId: 'dee', event: 'send_receipt' })).status).toBe(202);
      await eventually(async () => {
        const s = await t.api<{ nodes: Record<string, Record<string, number>> }>('GET', '/v1/journeys/j-receipt/stats');
        return s.body.nodes['mail-receipt']?.['skipped:suppressed'] === 1 ? true : undefined;
      });
      expect((await settled('dee')).map((r) => r.status)).toEqual(['sent']);
      expect(suite.smtp.received.length).toBe(mailed);
      expect((await getPage(link)).html).toContain("You're unsubscribed from all email");

      const audit = await t.api<{ entries: { action: string; actor: string; ip: string | null; details: object }[] }>(
        'GET',
        '/v1/audit?action=contact.unsubscribed&subjectId=dee',
      );
      expect(audit.body.entries).toEqual([
        expect.objectContaining({
          actor: 'contact',
          ip: expect.stringMatching(/127\.0\.0\.1|::1/),
          details: expect.objectContaining({
            source: 'preference-center',
            evidence: expect.objectContaining({ userAgent }),
          }),
        }),
      ]);
    },
    60_000,
  );

  it.skipIf(skip)(
    'refuses a tampered or foreign token with a 4xx page and no data, and bad fields by name',
    async () => {
      const link = await preferenceLink(suite.smtp, 'ann@example.com');
      const [base, token] = link.split('/p/') as [string, string];
      const [payload, signature] = token.split('.') as [string, string];
      const real = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { t: string; m: number };
      const forged = Buffer.from(JSON.stringify({ ...real, m: real.m + 1000 })).toString('base64url');
      const unsubscribeToken = /\/u\/([^>\s]+)/.exec(
        String(suite.smtp.received.find((m) => m.envelope.to.includes('ann@example.com'))?.raw),
      )?.[1];
      for (const bad of [
        `${forged}.${signature}`,
        `${payload}.${signature.slice(0, -2)}xx`,
        payload,
        String(unsubscribeToken),
      ]) {
        const page = await getPage(`${base}/p/${bad}`);
        expect(page.status, bad).toBe(400);
        expect(page.html).toContain("This link doesn't work");
        expect(page.html).not.toMatch(/ann@|Newsletter|<form/);
        const posted = await postForm(
          `${base}/p/${bad}`,
          [
            ['action', 'unsubscribe'],
            ['topics', 'offers'],
          ],
          userAgent,
        );
        expect(posted.status).toBe(400);
      }
      const list = await suite.t.api<{ suppressions: { email: string }[] }>('GET', '/v1/suppressions');
      expect(list.body.suppressions.map((s) => s.email)).not.toContain('ann@example.com');

      const wrong = await postForm(
        link,
        [
          ['action', 'save'],
          ['topics', 'offers'],
          ['frequency', 'hourly'],
          ['pause', 'none'],
        ],
        userAgent,
      );
      expect(wrong.status).toBe(400);
      expect(wrong.html).toContain('<strong>frequency</strong>: must be one of every, weekly, digest');
      const pause = await postForm(
        link,
        [
          ['action', 'save'],
          ['frequency', 'every'],
          ['pause', '365'],
        ],
        userAgent,
      );
      expect(pause.status).toBe(400);
      expect(pause.html).toContain('<strong>pause</strong>');
    },
  );

  it.skipIf(skip)(
    'erasing a contact purges the import report entries naming it, and its preferences',
    async () => {
      const { t } = suite;
      const imported = await postImport<{ id: string; imported: number }>(t.url, t.apiKey, [
        'id,email\n',
        'erin,info@erin-co.com\n',
        'zed,zed@gmial.com\n',
        'bo,sales@erin-co.com\n',
        'zed2,zed@gmail.com\n',
      ]);
      expect(imported.status).toBe(201);
      const reportOf = async () =>
        (
          await t.api<{ errors: { row: number; code: string; message: string; suggestion: string | null }[] }>(
            'GET',
            `/v1/imports/${imported.body.id}/errors?limit=100`,
          )
        ).body.errors;
      const before = await reportOf();
      expect(before.map((e) => [e.row, e.code])).toEqual([
        [2, 'role_account'],
        [3, 'possible_typo'],
        [4, 'role_account'],
      ]);
      expect(before[0]?.message).toContain('info@erin-co.com');
      expect(before[1]?.suggestion).toBe('zed@gmail.com');

      // Erin had set preferences; the export shows them, the erasure removes them with the report rows.
      await rows(
        sql`insert into contact_preferences (workspace_id, contact_id, frequency) values ('default', 'erin', 'weekly')`,
      );
      const exported = await t.api<{ preferences: { frequency: string } | null }>('GET', '/v1/contacts/erin/export');
      expect(exported.body.preferences?.frequency).toBe('weekly');
      const erased = await t.api<{ erased: boolean }>('POST', '/v1/contacts/erin/erase');
      expect(erased.body.erased).toBe(true);
      expect((await reportOf()).map((e) => [e.row, e.code])).toEqual([
        [3, 'possible_typo'],
        [4, 'role_account'],
      ]);
      expect(await rows(sql`select 1 from contact_preferences where contact_id = 'erin'`)).toEqual([]);

      // A report entry can also name an address by its typo suggestion: erasing zed@gmail.com takes it.
      expect((await t.api('POST', '/v1/contacts/zed2/erase')).status).toBe(200);
      expect((await reportOf()).map((e) => [e.row, e.code])).toEqual([[4, 'role_account']]);
      const audit = await t.api<{ entries: { details: Record<string, unknown> }[] }>(
        'GET',
        '/v1/audit?action=contact.erased&subjectId=erin',
      );
      expect(audit.body.entries[0]?.details).toMatchObject({ importReportEntries: 1 });
    },
    60_000,
  );
});
