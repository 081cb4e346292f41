import { describe, expect, it } from 'vitest';
import { type DatabaseKind, eventually, useTestRuntime } from '../support/runtime.ts';

const kinds: DatabaseKind[] = ['pglite', 'postgres'];
const mjml = '<mjml><mj-body><mj-section><mj-column><mj-text>News</mj-text></mj-column></mj-section></mj-body></mjml>';

describe.each(kinds)('consent, GDPR export and erasure, audit trail on %s', (kind) => {
  const suite = useTestRuntime(kind, { smtp: true });
  const skip = suite.skip;

  it.skipIf(skip)(
    'does not send a topic email to a contact who withdrew consent, even one already scheduled',
    async () => {
      const { t, smtp } = suite;
      expect((await t.api('POST', '/v1/topics', { id: 'newsletter', name: 'Newsletter' })).status).toBe(201);
      await t.api('POST', '/v1/templates', { id: 'news', name: 'News', subject: 'News', mjml, topic: 'newsletter' });
      await t.api('POST', '/v1/journeys', {
        id: 'news',
        name: 'News',
        definition: {
          schemaVersion: 1,
          id: 'news',
          nodes: [
            { id: 'go', type: 'trigger.event', config: { event: 'subscribed' } },
            { id: 'later', type: 'flow.wait', config: { duration: 'PT2S' } },
            { id: 'mail', type: 'action.sendEmail', config: { template: 'news' } },
            { id: 'end', type: 'flow.exit', config: {} },
          ],
          edges: [
            { from: 'go', to: 'later' },
            { from: 'later', to: 'mail' },
            { from: 'mail', to: 'end' },
          ],
        },
      });
      await t.api('POST', '/v1/journeys/news/publish');
      await t.api('POST', '/v1/contacts', {
        contacts: [
          { id: 'eve', email: 'eve@example.com' },
          { id: 'fay', email: 'fay@example.com' },
        ],
      });
      await t.api('POST', '/v1/events', {
        events: [
          { contactId: 'eve', event: 'subscribed' },
          { contactId: 'fay', event: 'subscribed' },
        ],
      });
      // Eve withdraws while her email is already scheduled.
      const consent = await t.api<{ status: string }>('PUT', '/v1/contacts/eve/consents/newsletter', {
        status: 'withdrawn',
        source: 'form',
        evidence: { form: 'footer' },
      });
      expect(consent.status).toBe(200);
      const stats = await eventually(
        async () => {
          const s = await t.api<{ nodes: Record<string, Record<string, number>> }>('GET', '/v1/journeys/news/stats');
          return (s.body.nodes.mail?.sent ?? 0) + (s.body.nodes.mail?.['skipped:consent'] ?? 0) >= 2
            ? s.body
            : undefined;
        },
        20_000,
        'both emails settled',
      );
      expect(stats.nodes.mail).toMatchObject({ sent: 1, 'skipped:consent': 1 });
      expect(smtp.received.flatMap((m) => m.envelope.to)).toEqual(['fay@example.com']);
    },
    40_000,
  );

  it.skipIf(skip)(
    'records consent only for a topic of the list, and the caller address from the connection',
    async () => {
      const { t } = suite;
      const unknown = await t.api<{ error: { code: string; message: string } }>(
        'PUT',
        '/v1/contacts/fay/consents/promotions',
        { status: 'granted', source: 'form' },
      );
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.message).toMatch(/^topic: "promotions" is not in this workspace's topic list/);
      const consents = await t.api<{ consents: { topic: string }[] }>('GET', '/v1/contacts/fay/consents');
      expect(consents.body.consents).toEqual([]);

      // X-Forwarded-For is anyone's to write: without WAYMARK_TRUST_PROXY the audit keeps the connection's address.
      const granted = await t.api(
        'PUT',
        '/v1/contacts/fay/consents/newsletter',
        { status: 'granted' },
        {
          headers: { 'x-forwarded-for': '198.51.100.66' },
        },
      );
      expect(granted.status).toBe(200);
      const audit = await t.api<{ entries: { action: string; ip: string | null; details: { topic?: string } }[] }>(
        'GET',
        '/v1/audit?subjectId=fay',
      );
      expect(audit.body.entries.map((e) => [e.action, e.details.topic])).toEqual([['consent.granted', 'newsletter']]);
      expect(audit.body.entries[0]?.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    },
  );

  it.skipIf(skip)('exports everything about a contact, erases it everywhere, and refuses to add it back', async () => {
    const { t } = suite;
    const exported = await t.api<{
      contact: { email: string };
      events: unknown[];
      consents: { topic: string }[];
      journeys: unknown[];
      messages: unknown[];
    }>('GET', '/v1/contacts/eve/export');
    expect(exported.status).toBe(200);
    expect(exported.body.contact.email).toBe('eve@example.com');
    expect(exported.body.events.length).toBeGreaterThanOrEqual(1);
    expect(exported.body.consents.map((c) => c.topic)).toEqual(['newsletter']);
    expect(exported.body.journeys).toHaveLength(1);
    expect(exported.body.messages).toHaveLength(1);

    const erased = await t.api<{ erased: boolean; suppressedHash: string }>('POST', '/v1/contacts/eve/erase');
    expect(erased.body.suppressedHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await t.api('GET', '/v1/contacts/eve')).status).toBe(404);
    expect((await t.api('GET', '/v1/contacts/eve/export')).status).toBe(404);
    const again = await t.api<{ error: { code: string; message: string } }>('POST', '/v1/contacts', {
      id: 'eve2',
      email: 'EVE@example.com',
    });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('email');
    const viaEvent = await t.api('POST', '/v1/events', { email: 'eve@example.com', event: 'subscribed' });
    expect(viaEvent.status).toBe(409);
    const list = await t.api<{ suppressions: { email: string }[] }>('GET', '/v1/suppressions');
    expect(JSON.stringify(list.body)).not.toContain('eve@example.com');
  });

  it.skipIf(skip)('keeps an append-only audit trail with who, what and when, filterable', async () => {
    const { t } = suite;
    const all = await t.api<{ entries: { action: string; actor: string; subjectId: string; at: string }[] }>(
      'GET',
      '/v1/audit',
    );
    const actions = all.body.entries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['journey.published', 'consent.withdrawn', 'contact.exported', 'contact.erased']),
    );
    expect(all.body.entries.every((e) => e.actor.startsWith('apiKey:') && !Number.isNaN(Date.parse(e.at)))).toBe(true);
    const erasures = await t.api<{ entries: { subjectId: string }[] }>('GET', '/v1/audit?action=contact.erased');
    expect(erasures.body.entries.map((e) => e.subjectId)).toEqual(['eve']);
    const bad = await t.api<{ error: { message: string } }>('GET', '/v1/audit?since=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('since');
  });
});
