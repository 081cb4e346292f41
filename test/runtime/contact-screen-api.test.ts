import { describe, expect, it } from 'vitest';
import { type DatabaseKind, useTestRuntime } from '../support/runtime.ts';

const kinds: DatabaseKind[] = ['pglite', 'postgres'];

type Page = { contacts: { id: string; email: string | null }[]; next: string | null };
type ApiErrorBody = { error: { code: string; message: string } };

describe.each(kinds)('what the contacts screen asks of the API on %s', (kind) => {
  const suite = useTestRuntime(kind);

  it.skipIf(suite.skip)('searches contacts by email (case-insensitive) or id prefix, page by page', async () => {
    const { t } = suite;
    const seeded = await t.api('POST', '/v1/contacts', {
      contacts: [
        { id: 'c1', email: 'Ann@Example.com' },
        { id: 'c2', email: 'bob@example.com' },
        { id: 'c3', email: 'anna@other.org' },
        { id: 'vip_ann', email: 'zed@example.com' },
        { id: 'vipxann', email: 'yan@example.com' },
        { id: '50%off', email: 'deal@example.com' },
      ],
    });
    expect(seeded.status).toBe(200);

    const byEmail = await t.api<Page>('GET', '/v1/contacts?q=ANN');
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.contacts.map((c) => c.id)).toEqual(['c1', 'c3']);

    const first = await t.api<Page>('GET', '/v1/contacts?q=example.com&limit=2');
    expect(first.body.contacts.map((c) => c.id)).toEqual(['50%off', 'c1']);
    expect(first.body.next).toBe('c1');
    const second = await t.api<Page>('GET', `/v1/contacts?q=example.com&limit=2&after=${first.body.next}`);
    expect(second.body.contacts.map((c) => c.id)).toEqual(['c2', 'vip_ann']);
    const third = await t.api<Page>('GET', `/v1/contacts?q=example.com&limit=2&after=${second.body.next}`);
    expect(third.body.contacts.map((c) => c.id)).toEqual(['vipxann']);
    expect(third.body.next).toBeNull();

    // Ids match from the start, case-sensitively; LIKE wildcards in the text are matched literally.
    expect((await t.api<Page>('GET', '/v1/contacts?q=vip')).body.contacts.map((c) => c.id)).toEqual([
      'vip_ann',
      'vipxann',
    ]);
    expect((await t.api<Page>('GET', '/v1/contacts?q=vip_')).body.contacts.map((c) => c.id)).toEqual(['vip_ann']);
    expect((await t.api<Page>('GET', '/v1/contacts?q=VIP')).body.contacts).toEqual([]);
    expect(
      (await t.api<Page>('GET', `/v1/contacts?q=${encodeURIComponent('50%')}`)).body.contacts.map((c) => c.id),
    ).toEqual(['50%off']);
    expect((await t.api<Page>('GET', `/v1/contacts?q=${encodeURIComponent('%off')}`)).body.contacts).toEqual([]);

    const tooLong = await t.api<ApiErrorBody>('GET', `/v1/contacts?q=${'x'.repeat(321)}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toContain('q');
  });

  it.skipIf(suite.skip)("lists a contact's recent events newest first, only its own", async () => {
    const { t } = suite;
    await t.api('POST', '/v1/contacts', { contacts: [{ id: 'e1' }, { id: 'e2' }] });
    const sent = await t.api('POST', '/v1/events', {
      events: [
        { contactId: 'e1', event: 'viewed', at: '2026-01-01T10:00:00Z', properties: { page: '/a' } },
        { contactId: 'e1', event: 'bought', at: '2026-01-03T10:00:00Z', properties: { total: 12 } },
        { contactId: 'e1', event: 'viewed', at: '2026-01-02T10:00:00Z', properties: { page: '/b' } },
        { contactId: 'e2', event: 'viewed', at: '2026-01-04T10:00:00Z' },
      ],
    });
    expect(sent.status).toBe(202);
    const list = await t.api<{ events: { name: string; at: string; properties: Record<string, unknown> }[] }>(
      'GET',
      '/v1/contacts/e1/events?limit=2',
    );
    expect(list.status).toBe(200);
    expect(list.body.events).toEqual([
      expect.objectContaining({ name: 'bought', at: '2026-01-03T10:00:00.000Z', properties: { total: 12 } }),
      expect.objectContaining({ name: 'viewed', at: '2026-01-02T10:00:00.000Z', properties: { page: '/b' } }),
    ]);
    const missing = await t.api<ApiErrorBody>('GET', '/v1/contacts/nobody/events');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('nobody');
    const badLimit = await t.api<ApiErrorBody>('GET', '/v1/contacts/e1/events?limit=0');
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.error.message).toContain('limit');
  });

  it.skipIf(suite.skip)(
    'lets a workspace editor token export and erase, but not journey-scoped or read-only tokens',
    async () => {
      const { t } = suite;
      await t.api('POST', '/v1/contacts', {
        contacts: [
          { id: 'g1', email: 'g1@example.com' },
          { id: 'g2', email: 'g2@example.com' },
        ],
      });
      await t.api('POST', '/v1/journeys', { id: 'j1', name: 'J1' });
      const token = async (body: Record<string, unknown>) =>
        (await t.api<{ token: string }>('POST', '/v1/editor-tokens', body)).body.token;
      const workspaceEditor = await token({ access: 'edit' });
      const journeyEditor = await token({ access: 'edit', journeyId: 'j1' });
      const reader = await token({ access: 'read' });

      for (const key of [journeyEditor, reader]) {
        const exported = await t.api<ApiErrorBody>('GET', '/v1/contacts/g1/export', undefined, { key });
        expect(exported.status).toBe(403);
        const erased = await t.api<ApiErrorBody>('POST', '/v1/contacts/g1/erase', undefined, { key });
        expect(erased.status).toBe(403);
      }
      expect((await t.api('GET', '/v1/contacts/g1')).status).toBe(200);

      const exported = await t.api<{ contact: { email: string } }>('GET', '/v1/contacts/g1/export', undefined, {
        key: workspaceEditor,
      });
      expect(exported.status).toBe(200);
      expect(exported.body.contact.email).toBe('g1@example.com');
      const erased = await t.api<{ erased: boolean }>('POST', '/v1/contacts/g1/erase', undefined, {
        key: workspaceEditor,
      });
      expect(erased.body.erased).toBe(true);
      expect((await t.api('GET', '/v1/contacts/g1')).status).toBe(404);
      expect((await t.api('GET', '/v1/contacts/g2')).status).toBe(200);
      const audit = await t.api<{ entries: { action: string; actor: string; subjectId: string }[] }>(
        'GET',
        '/v1/audit?action=contact.erased',
      );
      expect(audit.body.entries).toEqual([expect.objectContaining({ actor: 'editor', subjectId: 'g1' })]);
    },
  );
});
