import { schema } from '@waymark/runtime/db';
import { describe, expect, it } from 'vitest';
import { type DatabaseKind, type TestRuntime, useTestRuntime } from '../support/runtime.ts';

const template = {
  id: 'renewal',
  name: 'Renewal',
  subject: 'Your plan renews soon',
  mjml: `<mjml><mj-body><mj-section><mj-column>
    <mj-text>Hi {{ contact.first_name | default: "there" }}, your {{ contact.plan }} plan renews on Monday.</mj-text>
  </mj-column></mj-section></mj-body></mjml>`,
};

/** trigger → flow.approval → approved: wait a day, then the email (subject override with a merge tag); else exit. */
const journey = {
  schemaVersion: 1,
  id: 'renewal',
  settings: {},
  nodes: [
    { id: 'start', type: 'trigger.event', config: { event: 'renewal_due' } },
    { id: 'review', type: 'flow.approval', config: { timeout: 'P2D' } },
    { id: 'pause', type: 'flow.wait', config: { duration: 'P1D' } },
    {
      id: 'send',
      type: 'action.sendEmail',
      config: { template: 'renewal', subject: '{{ contact.first_name }}, your plan renews soon' },
    },
    { id: 'done', type: 'flow.exit', config: {} },
  ],
  edges: [
    { from: 'start', to: 'review' },
    { from: 'review', port: 'approved', to: 'pause' },
    { from: 'review', port: 'rejected', to: 'done' },
    { from: 'review', port: 'timeout', to: 'done' },
    { from: 'pause', to: 'send' },
    { from: 'send', to: 'done' },
  ],
};

type ApiErrorBody = { error: { code: string; message: string } };
interface DecidedBy {
  actor: string;
  credential: 'apiKey' | 'editor';
  user: { id: string; name?: string; email?: string } | null;
  reviewerLabel: string | null;
}
interface HistoryEntry {
  journeyId: string;
  contactId: string;
  node: string;
  decision: string;
  decidedAt: string;
  decidedBy: DecidedBy;
  note: string | null;
}
interface Preview {
  journeyId: string;
  contactId: string;
  node: string;
  emailNode: string;
  template: string;
  to: string | null;
  subject: string;
  subjects: string[] | null;
  html: string;
  text: string;
  document: string;
}

const maria = { id: 'u_42', name: 'Maria Rossi', email: 'maria@acme.test' };

/** Publishes the journey and holds the given contacts at the approval node. */
async function holdForReview(t: TestRuntime, people: { id: string; attributes?: Record<string, unknown> }[]) {
  expect((await t.api('POST', '/v1/templates', template)).status).toBe(201);
  expect((await t.api('POST', '/v1/journeys', { id: 'renewal', name: 'Renewal', definition: journey })).status).toBe(
    201,
  );
  expect((await t.api('POST', '/v1/journeys/renewal/publish')).status).toBe(200);
  await t.api('POST', '/v1/contacts', { contacts: people.map((p) => ({ ...p, email: `${p.id}@example.com` })) });
  await t.api('POST', '/v1/events', { events: people.map((p) => ({ contactId: p.id, event: 'renewal_due' })) });
  while ((await t.runtime.engine.processEvents()) > 0) {}
  const pending = await t.api<{ approvals: { contactId: string }[] }>('GET', '/v1/approvals?journeyId=renewal');
  expect(pending.body.approvals.map((a) => a.contactId).sort()).toEqual(people.map((p) => p.id).sort());
}

const tokenFor = async (t: TestRuntime, body: Record<string, unknown>) => {
  const res = await t.api<{ token: string }>('POST', '/v1/editor-tokens', body);
  expect(res.status).toBe(201);
  return res.body.token;
};

const decisionEvent = async (t: TestRuntime, contactId: string) =>
  (await t.runtime.services.db.select().from(schema.events)).find(
    (e) => e.name === 'approval.decided' && e.contactId === contactId,
  );

const auditOf = async (t: TestRuntime, contactId: string) =>
  (await t.runtime.services.db.select().from(schema.auditLog)).find(
    (a) => a.action.startsWith('approval.') && a.subjectId === contactId,
  );

const kinds: DatabaseKind[] = ['pglite', 'postgres'];

describe.each(kinds)('who decided an approval, on %s', (kind) => {
  // The test drives the scheduler's engine itself: runs stay where the test leaves them.
  const suite = useTestRuntime(kind, { config: { workers: false } });

  it.skipIf(suite.skip)(
    'records the user an editor token was issued for, the API key otherwise, and refuses a typed-in reviewer with a token',
    async () => {
      const { t } = suite;
      await holdForReview(t, [{ id: 'ann' }, { id: 'bob' }, { id: 'cyd' }, { id: 'dan' }, { id: 'eve' }]);
      const keyActor = `apiKey:${t.apiKey.slice(0, 9)}`;

      // The issuing product names its user; a malformed user is refused, naming the field.
      for (const [user, field] of [
        [{ name: 'No id' }, 'user.id'],
        [{ id: 'u_1', email: 'not-an-address' }, 'user.email'],
        [{ id: 'u_1', role: 'admin' }, 'user'],
      ] as const) {
        const bad = await t.api<ApiErrorBody>('POST', '/v1/editor-tokens', { user });
        expect(bad.status, field).toBe(400);
        expect(bad.body.error.code).toBe('invalid_request');
        expect(bad.body.error.message.startsWith(field), bad.body.error.message).toBe(true);
      }
      const token = await tokenFor(t, { user: maria });
      // Only API keys issue tokens: a token cannot mint one for somebody else.
      const minted = await t.api<ApiErrorBody>('POST', '/v1/editor-tokens', { user: { id: 'boss' } }, { key: token });
      expect(minted.status).toBe(403);

      // A token with a user: the decision is that user's.
      const byMaria = await t.api<{ decidedBy: DecidedBy }>(
        'POST',
        '/v1/approvals/renewal/ann/review',
        { decision: 'approved', note: 'fine' },
        { key: token },
      );
      expect(byMaria.status).toBe(202);
      const asMaria: DecidedBy = { actor: 'editor:u_42', credential: 'editor', user: maria, reviewerLabel: null };
      expect(byMaria.body.decidedBy).toEqual(asMaria);
      expect((await decisionEvent(t, 'ann'))?.properties).toMatchObject({ decision: 'approved', decidedBy: asMaria });
      const annAudit = await auditOf(t, 'ann');
      expect(annAudit?.actor).toBe('editor:u_42');
      expect(annAudit?.details).toMatchObject({ journey: 'renewal', node: 'review', decidedBy: asMaria });

      // Spoofing: with a token, a reviewer in the body is refused (single and bulk) and nothing is recorded.
      const spoofed = await t.api<ApiErrorBody>(
        'POST',
        '/v1/approvals/renewal/bob/review',
        { decision: 'approved', reviewer: 'ceo@acme.test' },
        { key: token },
      );
      expect(spoofed.status).toBe(400);
      expect(spoofed.body.error.code).toBe('invalid_request');
      expect(spoofed.body.error.message).toMatch(/^reviewer: not accepted with an editor token/);
      const spoofedBulk = await t.api<ApiErrorBody>(
        'POST',
        '/v1/approvals/decisions',
        {
          items: [{ journeyId: 'renewal', contactId: 'bob', node: 'review' }],
          decision: 'rejected',
          reviewer: 'ceo@acme.test',
        },
        { key: token },
      );
      expect(spoofedBulk.status).toBe(400);
      expect(spoofedBulk.body.error.message).toMatch(/^reviewer: /);
      expect(await decisionEvent(t, 'bob')).toBeUndefined();

      // In bulk, with the same token: every item is Maria's.
      const bulk = await t.api<{ results: { ok: boolean }[] }>(
        'POST',
        '/v1/approvals/decisions',
        { items: [{ journeyId: 'renewal', contactId: 'bob', node: 'review' }], decision: 'rejected' },
        { key: token },
      );
      expect(bulk.body.results).toEqual([expect.objectContaining({ ok: true })]);
      expect((await decisionEvent(t, 'bob'))?.properties).toMatchObject({ decidedBy: asMaria });

      // An API key: the key is recorded; the reviewer it names is kept as a label the caller gave.
      const byKey = await t.api<{ decidedBy: DecidedBy }>('POST', '/v1/approvals/renewal/cyd/review', {
        decision: 'approved',
        reviewer: 'rita@acme.test',
      });
      expect(byKey.status).toBe(202);
      const asKey: DecidedBy = { actor: keyActor, credential: 'apiKey', user: null, reviewerLabel: 'rita@acme.test' };
      expect(byKey.body.decidedBy).toEqual(asKey);
      expect((await decisionEvent(t, 'cyd'))?.properties).toMatchObject({ decidedBy: asKey });
      expect((await auditOf(t, 'cyd'))?.actor).toBe(keyActor);

      // A token issued without a user decides as "editor", with nobody named.
      const anonymous = await tokenFor(t, {});
      const byToken = await t.api<{ decidedBy: DecidedBy }>(
        'POST',
        '/v1/approvals/renewal/dan/review',
        { decision: 'rejected' },
        { key: anonymous },
      );
      expect(byToken.body.decidedBy).toEqual({
        actor: 'editor',
        credential: 'editor',
        user: null,
        reviewerLabel: null,
      });

      // The history lists the decisions, newest first, with who made them; tokens see it too.
      const history = await t.api<{ decisions: HistoryEntry[] }>(
        'GET',
        '/v1/approvals/history?journeyId=renewal',
        undefined,
        {
          key: token,
        },
      );
      expect(history.status).toBe(200);
      expect(history.body.decisions.map((d) => [d.contactId, d.decision, d.decidedBy.actor])).toEqual([
        ['dan', 'rejected', 'editor'],
        ['cyd', 'approved', keyActor],
        ['bob', 'rejected', 'editor:u_42'],
        ['ann', 'approved', 'editor:u_42'],
      ]);
      expect(history.body.decisions[3]).toMatchObject({ node: 'review', note: 'fine', decidedBy: asMaria });
      expect(history.body.decisions[1]?.decidedBy).toEqual(asKey);
      const limited = await t.api<{ decisions: HistoryEntry[]; next: string | null }>(
        'GET',
        '/v1/approvals/history?limit=1',
      );
      expect(limited.body.decisions.map((d) => d.contactId)).toEqual(['dan']);
      // Paging: each page continues where the last ended, and the last says there is no more.
      const pages: string[][] = [limited.body.decisions.map((d) => d.contactId)];
      let next = limited.body.next;
      while (next !== null) {
        const page = await t.api<{ decisions: HistoryEntry[]; next: string | null }>(
          'GET',
          `/v1/approvals/history?limit=3&before=${next}`,
        );
        expect(page.status).toBe(200);
        pages.push(page.body.decisions.map((d) => d.contactId));
        next = page.body.next;
      }
      expect(pages).toEqual([['dan'], ['cyd', 'bob', 'ann']]);
      expect(history.body).toMatchObject({ next: null });
      const badCursor = await t.api<ApiErrorBody>('GET', '/v1/approvals/history?before=999999999');
      expect(badCursor.status).toBe(400);
      expect(badCursor.body.error.message).toBe('before: no decision 999999999 in this workspace');
      const junkCursor = await t.api<ApiErrorBody>('GET', '/v1/approvals/history?before=abc');
      expect(junkCursor.status).toBe(400);
      expect(junkCursor.body.error.message).toMatch(/before/);
      const badLimit = await t.api<ApiErrorBody>('GET', '/v1/approvals/history?limit=0');
      expect(badLimit.status).toBe(400);
      expect(badLimit.body.error.message, badLimit.body.error.message).toMatch(/limit/);
      // A token limited to another journey sees none of this journey's history.
      await t.api('POST', '/v1/journeys', { id: 'other', name: 'Other' });
      const scoped = await tokenFor(t, { journeyId: 'other', user: maria });
      const elsewhere = await t.api<{ decisions: HistoryEntry[] }>('GET', '/v1/approvals/history', undefined, {
        key: scoped,
      });
      expect(elsewhere.body.decisions).toEqual([]);
      const forbidden = await t.api('GET', '/v1/approvals/history?journeyId=renewal', undefined, { key: scoped });
      expect(forbidden.status).toBe(403);

      // The audit trail carries the same.
      const audit = await t.api<{ entries: { actor: string; subjectId: string }[] }>(
        'GET',
        '/v1/audit?action=approval.approved',
      );
      expect(audit.body.entries.map((e) => [e.subjectId, e.actor])).toEqual([
        ['cyd', keyActor],
        ['ann', 'editor:u_42'],
      ]);
    },
    60_000,
  );

  it.skipIf(suite.skip)(
    'the sign-in link signs in the installation owner, who is recorded as the reviewer',
    async () => {
      const { t } = suite;
      const signIn = await fetch(t.runtime.signInUrl, { redirect: 'manual' });
      expect(signIn.status).toBe(302);
      const token = decodeURIComponent(/#token=([^&]+)/.exec(signIn.headers.get('location') ?? '')?.[1] ?? '');
      expect(token).not.toBe('');
      const decided = await t.api<{ decidedBy: DecidedBy }>(
        'POST',
        '/v1/approvals/renewal/eve/review',
        { decision: 'approved' },
        { key: token },
      );
      expect(decided.status).toBe(202);
      expect(decided.body.decidedBy).toEqual({
        actor: 'editor:owner',
        credential: 'editor',
        user: { id: 'owner', name: 'Owner' },
        reviewerLabel: null,
      });
      expect((await auditOf(t, 'eve'))?.actor).toBe('editor:owner');
    },
  );
});

describe.each(kinds)('the email an approval releases, previewed on %s', (kind) => {
  const suite = useTestRuntime(kind, { config: { workers: false } });

  it.skipIf(suite.skip)(
    'renders the following email step for the waiting contact; 404 for runs, steps and journeys not waiting',
    async () => {
      const { t } = suite;
      await holdForReview(t, [
        { id: 'ann', attributes: { first_name: 'Ann', plan: 'Pro' } },
        { id: 'bob', attributes: { first_name: '<b>Bob</b>', plan: 'Free' } },
      ]);
      const ann = await t.api<Preview>('GET', '/v1/approvals/renewal/ann/review/preview');
      expect(ann.status).toBe(200);
      expect(ann.body).toMatchObject({
        journeyId: 'renewal',
        contactId: 'ann',
        node: 'review',
        emailNode: 'send',
        template: 'renewal',
        to: 'ann@example.com',
        subject: 'Ann, your plan renews soon',
        subjects: null,
      });
      expect(ann.body.html).toContain('Hi Ann, your Pro plan renews on Monday.');
      expect(ann.body.html).toMatch(/^<!doctype html>/i);
      expect(ann.body.text).toContain('Hi Ann, your Pro plan renews on Monday.');
      // For a sandboxed frame: the same HTML under a restrictive Content-Security-Policy.
      expect(ann.body.document).toContain('Content-Security-Policy');
      expect(ann.body.document).toContain('Hi Ann, your Pro plan renews on Monday.');
      // Untracked: no open pixel or click redirects in a preview.
      expect(ann.body.html).not.toContain('/t/o/');

      // Per contact, with merge tags escaped in the body as in the email that goes out.
      const bob = await t.api<Preview>('GET', '/v1/approvals/renewal/bob/review/preview');
      expect(bob.body.subject).toBe('<b>Bob</b>, your plan renews soon');
      expect(bob.body.html).toContain('Hi &lt;b&gt;Bob&lt;/b&gt;, your Free plan renews on Monday.');

      // An editor token for the journey may look; one for another journey may not.
      const token = (await t.api<{ token: string }>('POST', '/v1/editor-tokens', { journeyId: 'renewal' })).body.token;
      expect((await t.api('GET', '/v1/approvals/renewal/ann/review/preview', undefined, { key: token })).status).toBe(
        200,
      );
      await t.api('POST', '/v1/journeys', { id: 'other', name: 'Other' });
      const other = (await t.api<{ token: string }>('POST', '/v1/editor-tokens', { journeyId: 'other' })).body.token;
      expect((await t.api('GET', '/v1/approvals/renewal/ann/review/preview', undefined, { key: other })).status).toBe(
        403,
      );

      // Nothing waits there: unknown contact, a node that is not the approval, an unknown journey.
      for (const path of [
        '/v1/approvals/renewal/nobody/review/preview',
        '/v1/approvals/renewal/ann/send/preview',
        '/v1/approvals/nothing/ann/review/preview',
      ]) {
        const res = await t.api<ApiErrorBody>('GET', path);
        expect(res.status, path).toBe(404);
        expect(res.body.error.code).toBe('not_found');
        expect(res.body.error.message).toContain('waiting for approval');
      }
      // Once decided, the run no longer waits: no preview either.
      expect((await t.api('POST', '/v1/approvals/renewal/ann/review', { decision: 'rejected' })).status).toBe(202);
      while ((await t.runtime.engine.processEvents()) > 0) {}
      expect((await t.api('GET', '/v1/approvals/renewal/ann/review/preview')).status).toBe(404);
      expect((await t.api('GET', '/v1/approvals/renewal/bob/review/preview')).status).toBe(200);
    },
    60_000,
  );
});
