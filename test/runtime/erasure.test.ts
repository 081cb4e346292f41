import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { postForm } from '../support/preference-form.ts';
import { type DatabaseKind, eventually, queryRows, useTestRuntime } from '../support/runtime.ts';

const kinds: DatabaseKind[] = ['pglite', 'postgres'];

const contactId = 'eve-erasable-7f3';
const address = 'eve.erasable@example.com';
const news = {
  id: 'news',
  name: 'News',
  subject: 'News',
  topic: 'newsletter',
  mjml: '<mjml><mj-body><mj-section><mj-column><mj-text><a href="{{ preferences_url }}">Preferences</a></mj-text></mj-column></mj-section></mj-body></mjml>',
};
const journey = {
  schemaVersion: 1,
  id: 'news',
  settings: { reEntry: 'always' },
  nodes: [
    { id: 'go', type: 'trigger.event', config: { event: 'send_news' } },
    { id: 'mail', type: 'action.sendEmail', config: { template: 'news' } },
    { id: 'end', type: 'flow.exit', config: {} },
  ],
  edges: [
    { from: 'go', to: 'mail' },
    { from: 'mail', to: 'end' },
  ],
};

/** Columns that name a contact or an address, by the names the schema uses for them. */
const personColumns = ['contact_id', 'email', 'address', 'subject_id', 'envelope_to'];

/**
 * Where a contact's id may stay after erasure, and why: the audit trail keeps its entries (who did
 * what, when), redacted. Its address stays nowhere; the suppression list keeps only its hash.
 */
const idExceptions = new Set(['audit_log.subject_id', 'audit_log']);

describe.each(kinds)('erasure leaves nothing personal behind, on %s', (kind) => {
  // No SMTP server: mail goes to the development inbox, which erasure must clear too.
  const suite = useTestRuntime(kind);
  const skip = suite.skip;

  const rows = <T>(query: ReturnType<typeof sql>) => queryRows<T>(suite.t, query);
  const inbox = async () =>
    (await suite.t.api<{ messages: { id: number; envelope: { to: string[] } }[] }>('GET', '/v1/dev/inbox?limit=500'))
      .body.messages;

  /** Every column, in every table, named as one of {@link personColumns}. */
  const columnsNamingPeople = () =>
    rows<{ table_name: string; column_name: string }>(sql`
      select table_name, column_name from information_schema.columns
      where table_schema = 'public' and column_name in (${sql.join(
        personColumns.map((c) => sql`${c}`),
        sql`, `,
      )})
      order by table_name, column_name`);

  /**
   * Checks every column that names a contact or an address, and every row of every table as text:
   * neither mentions the address, nor (but for the audit trail) the id.
   */
  async function expectNoTrace(id: string, email: string, columns: { table_name: string; column_name: string }[]) {
    for (const { table_name: table, column_name: column } of columns) {
      const [hits] = await rows<{ id: number; address: number }>(sql`
        select count(*) filter (where lower(${sql.identifier(column)}::text) like ${`%${id}%`})::int as id,
               count(*) filter (where lower(${sql.identifier(column)}::text) like ${`%${email}%`})::int as address
        from ${sql.identifier(table)}`);
      expect(hits?.address, `${table}.${column} still holds the address`).toBe(0);
      if (!idExceptions.has(`${table}.${column}`)) expect(hits?.id, `${table}.${column} still holds the id`).toBe(0);
    }
    // And, whatever the column is called, no row of any table mentions the address (or, but for the
    // audit trail, the id).
    const tables = await rows<{ table_name: string }>(sql`
      select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
    expect(tables.length).toBeGreaterThan(10);
    for (const { table_name: table } of tables) {
      const [hits] = await rows<{ id: number; address: number }>(sql`
        select count(*) filter (where lower(r::text) like ${`%${id}%`})::int as id,
               count(*) filter (where lower(r::text) like ${`%${email}%`})::int as address
        from ${sql.identifier(table)} as r`);
      expect(hits?.address, `a row of ${table} mentions the address`).toBe(0);
      if (!idExceptions.has(table)) expect(hits?.id, `a row of ${table} mentions the id`).toBe(0);
    }
  }

  it.skipIf(skip)(
    'deletes its inbox mail, redacts its audit entries and leaves its id or address in no other table',
    async () => {
      const { t } = suite;
      expect((await t.api('POST', '/v1/topics', { id: 'newsletter', name: 'Newsletter' })).status).toBe(201);
      expect((await t.api('POST', '/v1/templates', news)).status).toBe(201);
      expect((await t.api('POST', '/v1/journeys', { id: 'news', name: 'News', definition: journey })).status).toBe(201);
      expect((await t.api('POST', '/v1/journeys/news/publish')).status).toBe(200);
      await t.api('POST', '/v1/contacts', {
        contacts: [
          { id: contactId, email: 'Eve.Erasable@Example.com', attributes: { plan: 'pro' } },
          { id: 'bob', email: 'bob@example.com', attributes: { plan: 'pro' } },
        ],
      });
      expect(
        (
          await t.api('POST', '/v1/segments', {
            id: 'pros',
            name: 'Pros',
            condition: { attribute: 'plan', op: 'eq', value: 'pro' },
          })
        ).status,
      ).toBe(201);
      const consent = await t.api('PUT', `/v1/contacts/${contactId}/consents/newsletter`, {
        status: 'granted',
        source: 'form',
        evidence: { ip: '203.0.113.9', userAgent: 'SignupForm/2', form: 'footer' },
      });
      expect(consent.status).toBe(200);
      for (const id of [contactId, 'bob'])
        expect((await t.api('POST', '/v1/events', { contactId: id, event: 'send_news' })).status).toBe(202);
      const mails = await eventually(
        async () => {
          const list = await inbox();
          return list.length >= 2 ? list : undefined;
        },
        20_000,
        'both emails in the development inbox',
      );
      const eveMail = mails.find((m) => m.envelope.to[0]?.toLowerCase() === address);
      expect(eveMail).toBeDefined();
      const opened = await t.api<{ html: string }>('GET', `/v1/dev/inbox/${eveMail?.id}`);
      const link = /href="(http:\/\/localhost:\d+\/p\/[^"]+)"/.exec(opened.body.html)?.[1] as string;
      expect(link).toBeDefined();

      // On the preference center she withdraws, picks fewer emails, then unsubscribes from all.
      const saved = await postForm(
        link,
        [
          ['action', 'save'],
          ['topics', 'newsletter'],
          ['frequency', 'weekly'],
          ['pause', 'none'],
        ],
        'ErasureTest/1.0',
      );
      expect(saved.status).toBe(303);
      expect((await postForm(link, [['action', 'unsubscribe']], 'ErasureTest/1.0')).status).toBe(200);
      expect((await t.api('POST', '/v1/suppressions', { email: address, detail: 'asked by phone' })).status).toBe(201);
      expect((await t.api('GET', `/v1/contacts/${contactId}/export`)).status).toBe(200);

      const auditBefore = await rows<{ id: number }>(
        sql`select id from audit_log where subject_id in (${contactId}, ${address})`,
      );
      expect(auditBefore.length).toBeGreaterThanOrEqual(6);
      const erased = await t.api<{ erased: boolean; suppressedHash: string }>(
        'POST',
        `/v1/contacts/${contactId}/erase`,
      );
      expect(erased.status).toBe(200);

      // The development inbox: her mail is gone, Bob's stays.
      const after = await inbox();
      expect(after.map((m) => m.envelope.to[0]?.toLowerCase())).toEqual(['bob@example.com']);

      // Every column that names a contact or an address, in every table that has one.
      const columns = await columnsNamingPeople();
      expect(columns.map((c) => `${c.table_name}.${c.column_name}`)).toEqual(
        expect.arrayContaining([
          'audit_log.subject_id',
          'consents.contact_id',
          'contact_preferences.contact_id',
          'contacts.email',
          'dev_inbox.envelope_to',
          'events.contact_id',
          'outbox.contact_id',
          'segment_members.contact_id',
          'suppressions.email',
        ]),
      );
      await expectNoTrace(contactId, address, columns);
      const [suppressed] = await rows<{ email: string }>(
        sql`select email from suppressions where email = ${erased.body.suppressedHash}`,
      );
      expect(suppressed?.email).toMatch(/^sha256:[0-9a-f]{64}$/);

      // The audit trail keeps every entry (append-only), with the personal fields redacted.
      const trail = await rows<{
        id: number;
        action: string;
        actor: string;
        subject_id: string;
        ip: string | null;
        details: Record<string, unknown> | string;
      }>(sql`select id, action, actor, subject_id, ip, details from audit_log
             where id in (${sql.join(
               auditBefore.map((a) => sql`${a.id}`),
               sql`, `,
             )}) order by id`);
      expect(trail.map((e) => e.id)).toEqual(auditBefore.map((a) => a.id));
      expect(trail.map((e) => e.action)).toEqual(
        expect.arrayContaining([
          'consent.granted',
          'consent.withdrawn',
          'contact.preferences_changed',
          'contact.unsubscribed',
          'suppression.added',
          'contact.exported',
        ]),
      );
      for (const entry of trail) {
        const details = typeof entry.details === 'string' ? JSON.parse(entry.details) : entry.details;
        expect(details.redacted, entry.action).toBe('erasure');
        const text = JSON.stringify({ ...entry, details });
        for (const personal of [address, '203.0.113.9', 'SignupForm/2', 'ErasureTest/1.0'])
          expect(text, `${entry.action} keeps ${personal}`).not.toContain(personal);
        if ('evidence' in details) expect(details.evidence).toBe('[erased]');
        // The address the person used is theirs; an operator's own (here the test's) stays.
        if (entry.actor === 'contact') expect(entry.ip).toBeNull();
        else expect(entry.ip).toMatch(/127\.0\.0\.1/);
      }
      expect(trail.find((e) => e.action === 'suppression.added')?.subject_id).toBe(erased.body.suppressedHash);
      const erasure = await t.api<{ entries: { details: Record<string, unknown> }[] }>(
        'GET',
        `/v1/audit?action=contact.erased&subjectId=${contactId}`,
      );
      expect(erasure.body.entries[0]?.details).toMatchObject({
        devInboxMessages: 1,
        auditEntriesRedacted: auditBefore.length,
      });

      // Bob keeps everything.
      expect((await t.api<{ email: string }>('GET', '/v1/contacts/bob')).body.email).toBe('bob@example.com');
    },
    60_000,
  );
  it.skipIf(skip)(
    'deletes the emails held for its weekly digest, whose content names it',
    async () => {
      const { t } = suite;
      const fay = 'fay-erasable-2c1';
      const fayAddress = 'fay.erasable@example.com';
      const digestNews = {
        id: 'digest-news',
        name: 'Digest news',
        subject: 'News for {{ contact.email }}',
        topic: 'newsletter',
        mjml: '<mjml><mj-body><mj-section><mj-column><mj-text>Hello {{ contact.id }} at {{ contact.email }}</mj-text></mj-column></mj-section></mj-body></mjml>',
      };
      expect((await t.api('POST', '/v1/templates', digestNews)).status).toBe(201);
      const digestJourney = {
        ...journey,
        id: 'digest-news',
        nodes: [
          { id: 'go', type: 'trigger.event', config: { event: 'send_digest_news' } },
          { id: 'mail-digest', type: 'action.sendEmail', config: { template: 'digest-news' } },
          { id: 'end', type: 'flow.exit', config: {} },
        ],
        edges: [
          { from: 'go', to: 'mail-digest' },
          { from: 'mail-digest', to: 'end' },
        ],
      };
      expect(
        (await t.api('POST', '/v1/journeys', { id: 'digest-news', name: 'Digest', definition: digestJourney })).status,
      ).toBe(201);
      expect((await t.api('POST', '/v1/journeys/digest-news/publish')).status).toBe(200);
      await t.api('POST', '/v1/contacts', { contacts: [{ id: fay, email: 'Fay.Erasable@Example.com' }] });
      await rows(
        sql`insert into contact_preferences (workspace_id, contact_id, frequency) values ('default', ${fay}, 'digest')`,
      );
      expect((await t.api('POST', '/v1/events', { contactId: fay, event: 'send_digest_news' })).status).toBe(202);
      await eventually(
        async () => {
          const held = await rows<{ text: string }>(
            sql`select h::text as text from held_emails h join outbox o on o.id = h.outbox_id where o.contact_id = ${fay}`,
          );
          return held.length === 1 && held[0]?.text.toLowerCase().includes(fayAddress) ? true : undefined;
        },
        20_000,
        'the email held for her digest, naming her',
      );
      const exported = await t.api<{ heldForDigest: { subject: string }[] }>('GET', `/v1/contacts/${fay}/export`);
      expect(exported.body.heldForDigest.map((h) => h.subject)).toEqual(['News for Fay.Erasable@Example.com']);

      expect((await t.api('POST', `/v1/contacts/${fay}/erase`)).status).toBe(200);
      expect(await rows(sql`select 1 from held_emails`)).toEqual([]);
      const columns = await columnsNamingPeople();
      await expectNoTrace(fay, fayAddress, columns);
    },
    60_000,
  );
});
