import type { ContactJourneyState } from '@waymark/nodes';
import { schema } from '@waymark/runtime/db';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type DatabaseKind, eventually, type TestRuntime, useTestRuntime } from '../support/runtime.ts';

const template = {
  id: 'notice',
  name: 'Notice',
  subject: 'Your plan changes next month',
  mjml: '<mjml><mj-body><mj-section><mj-column><mj-text>Hello</mj-text></mj-column></mj-section></mj-body></mjml>',
};

/** trigger → flow.approval (PT1H) → approved: email; rejected: exit; timeout: mark the contact, exit. */
const journey = {
  schemaVersion: 1,
  id: 'notice',
  settings: {},
  nodes: [
    { id: 'start', type: 'trigger.event', config: { event: 'notice_drafted' } },
    { id: 'review', type: 'flow.approval', config: { timeout: 'PT1H' } },
    { id: 'send', type: 'action.sendEmail', config: { template: 'notice' } },
    { id: 'late', type: 'action.updateContact', config: { set: { review: 'timed_out' } } },
    { id: 'done', type: 'flow.exit', config: {} },
  ],
  edges: [
    { from: 'start', to: 'review' },
    { from: 'review', port: 'approved', to: 'send' },
    { from: 'review', port: 'rejected', to: 'done' },
    { from: 'review', port: 'timeout', to: 'late' },
    { from: 'send', to: 'done' },
    { from: 'late', to: 'done' },
  ],
};

type ApiErrorBody = { error: { code: string; message: string } };
type Results = {
  results: {
    journeyId: string;
    contactId: string;
    node: string;
    ok: boolean;
    error?: { code: string; message: string };
  }[];
};
type Stats = { nodes: Record<string, Record<string, number>> };

async function publish(t: TestRuntime) {
  expect((await t.api('POST', '/v1/templates', template)).status).toBe(201);
  expect((await t.api('POST', '/v1/journeys', { id: 'notice', name: 'Notice', definition: journey })).status).toBe(201);
  expect((await t.api('POST', '/v1/journeys/notice/publish')).status).toBe(200);
}

const pendingIds = async (t: TestRuntime) =>
  (await t.api<{ approvals: { contactId: string }[] }>('GET', '/v1/approvals?journeyId=notice')).body.approvals
    .map((a) => a.contactId)
    .sort();

/**
 * Lets `ms` pass for one contact's run: its times (entered, started, timer) move that far into the
 * past, exactly as they would read had the run entered the node `ms` earlier. The runtime reads the
 * real clock; nothing of it is replaced.
 */
async function letTimePass(t: TestRuntime, contactId: string, ms: number) {
  const { db } = t.runtime.services;
  const where = and(eq(schema.journeyStates.journeyId, 'notice'), eq(schema.journeyStates.contactId, contactId));
  const [row] = await db.select().from(schema.journeyStates).where(where);
  if (!row) throw new Error(`no state for ${contactId}`);
  const state = row.state as unknown as ContactJourneyState;
  for (const run of state.runs) {
    run.startedAt -= ms;
    run.enteredAt -= ms;
    if (run.wakeAt !== undefined) run.wakeAt -= ms;
  }
  await db
    .update(schema.journeyStates)
    .set({
      state: state as unknown as Record<string, unknown>,
      wakeAt: row.wakeAt ? new Date(row.wakeAt.getTime() - ms) : null,
    })
    .where(where);
}

const kinds: DatabaseKind[] = ['pglite', 'postgres'];

describe.each(kinds)('an approval that nobody decides times out on %s', (kind) => {
  // No background workers: the test advances the scheduler's engine itself, so that a decision can be
  // tried between the moment the timeout passes and the moment the scheduler acts on it.
  const suite = useTestRuntime(kind, { config: { workers: false } });

  it.skipIf(suite.skip)(
    'takes the timeout port once PT1H has passed, and refuses decisions after the timeout',
    async () => {
      const { t } = suite;
      const { engine } = t.runtime;
      const { db } = t.runtime.services;
      await publish(t);
      await t.api('POST', '/v1/contacts', {
        contacts: [
          { id: 'tia', email: 'tia@example.com' },
          { id: 'uma', email: 'uma@example.com' },
        ],
      });
      await t.api('POST', '/v1/events', {
        events: [
          { contactId: 'tia', event: 'notice_drafted' },
          { contactId: 'uma', event: 'notice_drafted' },
        ],
      });
      while ((await engine.processEvents()) > 0) {}
      expect(await pendingIds(t)).toEqual(['tia', 'uma']);
      // Nothing is due within the hour.
      expect((await engine.processDue()).runs).toBe(0);

      await letTimePass(t, 'tia', 3_600_000 + 1_000);

      // The timeout has passed but the scheduler has not acted yet: the run leaves the queue and a
      // decision is refused, naming the timeout.
      expect(await pendingIds(t)).toEqual(['uma']);
      const late = await t.api<ApiErrorBody>('POST', '/v1/approvals/notice/tia/review', { decision: 'approved' });
      expect(late.status).toBe(409);
      expect(late.body.error.code).toBe('approval_timed_out');
      expect(late.body.error.message).toMatch(/^the approval at node "review" timed out at \d{4}-\d\d-\d\dT.*Z; /);

      // The scheduler takes the timeout port.
      expect((await engine.processDue()).runs).toBe(1);
      const stats = (await t.api<Stats>('GET', '/v1/journeys/notice/stats')).body.nodes;
      expect(stats.review).toMatchObject({ 'left:timeout': 1 });
      expect(stats.review?.['left:approved']).toBeUndefined();
      expect(stats.late?.left).toBe(1);
      const tia = await t.api<{ attributes: Record<string, unknown> }>('GET', '/v1/contacts/tia');
      expect(tia.body.attributes.review).toBe('timed_out');

      // Later decisions, single or in bulk, find no run waiting.
      const after = await t.api<ApiErrorBody>('POST', '/v1/approvals/notice/tia/review', { decision: 'rejected' });
      expect(after.status).toBe(404);
      expect(after.body.error.message).toContain('no run of contact "tia" is waiting for approval at node "review"');
      const bulk = await t.api<Results>('POST', '/v1/approvals/decisions', {
        items: [{ journeyId: 'notice', contactId: 'tia', node: 'review' }],
        decision: 'approved',
      });
      expect(bulk.status).toBe(200);
      expect(bulk.body.results[0]).toMatchObject({ contactId: 'tia', ok: false, error: { code: 'not_found' } });
      const decisions = (await db.select().from(schema.events)).filter(
        (e) => e.name === 'approval.decided' && e.contactId === 'tia',
      );
      expect(decisions).toHaveLength(0);

      // Uma, within the hour, is still decided normally.
      const uma = await t.api('POST', '/v1/approvals/notice/uma/review', { decision: 'approved' });
      expect(uma.status).toBe(202);
      while ((await engine.processEvents()) > 0) {}
      const final = (await t.api<Stats>('GET', '/v1/journeys/notice/stats')).body.nodes;
      expect(final.review).toMatchObject({ 'left:timeout': 1, 'left:approved': 1 });
      expect(await pendingIds(t)).toEqual([]);
    },
    60_000,
  );
  it.skipIf(suite.skip)(
    'applies a decision accepted within the hour even when the scheduler gets to it after the timeout',
    async () => {
      const { t } = suite;
      const { engine } = t.runtime;
      await t.api('POST', '/v1/contacts', { id: 'vic', email: 'vic@example.com' });
      await t.api('POST', '/v1/events', { contactId: 'vic', event: 'notice_drafted' });
      while ((await engine.processEvents()) > 0) {}
      const accepted = await t.api('POST', '/v1/approvals/notice/vic/review', { decision: 'approved' });
      expect(accepted.status).toBe(202);
      // The hour passes before the scheduler looks at anything.
      await letTimePass(t, 'vic', 3_600_000 + 1_000);
      expect((await engine.processDue()).runs).toBe(0);
      while ((await engine.processEvents()) > 0) {}
      const stats = (await t.api<Stats>('GET', '/v1/journeys/notice/stats')).body.nodes;
      expect(stats.review).toMatchObject({ 'left:approved': 2, 'left:timeout': 1 });
      const vic = await t.api<{ attributes: Record<string, unknown> }>('GET', '/v1/contacts/vic');
      expect(vic.body.attributes.review).toBeUndefined();
    },
    60_000,
  );
});

describe.each(kinds)('bulk approval on %s', (kind) => {
  const suite = useTestRuntime(kind, { smtp: true });

  it.skipIf(suite.skip)(
    "decides several contacts' runs in one request, sends the approved emails and reports bad items alone",
    async () => {
      const { t, smtp } = suite;
      const { db } = t.runtime.services;
      await publish(t);
      const people = ['ada', 'ben', 'cal', 'dee'];
      await t.api('POST', '/v1/contacts', {
        contacts: people.map((id) => ({ id, email: `${id}@example.com` })),
      });
      await t.api('POST', '/v1/events', {
        events: people.map((contactId) => ({ contactId, event: 'notice_drafted' })),
      });
      await eventually(
        async () => ((await pendingIds(t)).length === 4 ? true : undefined),
        20_000,
        'four runs waiting for approval',
      );

      // Malformed requests are refused whole, naming the field.
      const item = (contactId: string, node = 'review') => ({ journeyId: 'notice', contactId, node });
      const invalid: [unknown, string][] = [
        [{ items: [], decision: 'approved' }, 'items'],
        [{ items: Array.from({ length: 501 }, (_, i) => item(`c${i}`)), decision: 'approved' }, 'items'],
        [{ items: [item('ada')], decision: 'maybe' }, 'decision'],
        [{ items: [{ journeyId: 'notice', node: 'review' }], decision: 'approved' }, 'items.0.contactId'],
        [{ items: [item('ada')], decision: 'approved', edits: { subjects: [] } }, 'edits.subjects'],
      ];
      for (const [body, field] of invalid) {
        const res = await t.api<ApiErrorBody>('POST', '/v1/approvals/decisions', body);
        expect(res.status, field).toBe(400);
        expect(res.body.error.code).toBe('invalid_request');
        expect(res.body.error.message.startsWith(`${field}: `), res.body.error.message).toBe(true);
      }
      expect(await pendingIds(t)).toEqual(['ada', 'ben', 'cal', 'dee']);

      // Three good items and two bad ones: the good ones are decided, each bad one says why.
      const approved = await t.api<Results>('POST', '/v1/approvals/decisions', {
        items: [item('ada'), item('nobody'), item('ben'), item('cal', 'send'), item('cal')],
        decision: 'approved',
        reviewer: 'rita@acme.test',
        note: 'checked the wording',
      });
      expect(approved.status).toBe(200);
      expect(approved.body.results).toEqual([
        { ...item('ada'), ok: true },
        { ...item('nobody'), ok: false, error: { code: 'not_found', message: expect.stringContaining('"nobody"') } },
        { ...item('ben'), ok: true },
        { ...item('cal', 'send'), ok: false, error: { code: 'not_found', message: expect.stringContaining('"send"') } },
        { ...item('cal'), ok: true },
      ]);

      // Dee is rejected in bulk; Ada, decided already, fails alone (conflict, or not found once applied).
      const rejected = await t.api<Results>('POST', '/v1/approvals/decisions', {
        items: [item('dee'), item('ada')],
        decision: 'rejected',
      });
      expect(rejected.body.results.map((r) => [r.contactId, r.ok])).toEqual([
        ['dee', true],
        ['ada', false],
      ]);
      expect(['conflict', 'not_found']).toContain(rejected.body.results[1]?.error?.code);

      // An editor token limited to another journey may decide nothing here.
      await t.api('POST', '/v1/journeys', { id: 'other', name: 'Other' });
      const scoped = await t.api<{ token: string }>('POST', '/v1/editor-tokens', { journeyId: 'other' });
      const forbidden = await t.api<Results>(
        'POST',
        '/v1/approvals/decisions',
        { items: [item('ada')], decision: 'rejected' },
        { key: scoped.body.token },
      );
      expect(forbidden.body.results[0]).toMatchObject({ ok: false, error: { code: 'forbidden' } });

      const mails = await eventually(
        async () => (smtp.received.length >= 3 ? smtp.received : undefined),
        20_000,
        'three approved emails',
      );
      await eventually(
        async () => {
          const n = (await t.api<Stats>('GET', '/v1/journeys/notice/stats')).body.nodes;
          return n.done?.exited === 4 ? n : undefined;
        },
        15_000,
        'all four runs to finish',
      );
      expect(mails.flatMap((m) => m.envelope.to).sort()).toEqual([
        'ada@example.com',
        'ben@example.com',
        'cal@example.com',
      ]);
      expect(await pendingIds(t)).toEqual([]);

      // Who and when: on each decision event, and in the audit trail.
      const decided = (await db.select().from(schema.events)).filter((e) => e.name === 'approval.decided');
      expect(decided).toHaveLength(4);
      const ada = decided.find((e) => e.contactId === 'ada');
      expect(ada?.properties).toMatchObject({
        journey: 'notice',
        node: 'review',
        decision: 'approved',
        decidedBy: {
          actor: `apiKey:${t.apiKey.slice(0, 9)}`,
          credential: 'apiKey',
          user: null,
          reviewerLabel: 'rita@acme.test',
        },
        content: { note: 'checked the wording', decidedAt: expect.any(String) },
      });
      const audit = (await db.select().from(schema.auditLog)).filter((a) => a.action.startsWith('approval.'));
      expect(audit.map((a) => [a.subjectId, a.action]).sort()).toEqual([
        ['ada', 'approval.approved'],
        ['ben', 'approval.approved'],
        ['cal', 'approval.approved'],
        ['dee', 'approval.rejected'],
      ]);
      for (const a of audit) expect(a.actor).toMatch(/^apiKey:/);
      expect(audit.find((a) => a.subjectId === 'ada')?.details).toMatchObject({
        journey: 'notice',
        node: 'review',
        decidedBy: { credential: 'apiKey', user: null, reviewerLabel: 'rita@acme.test' },
        note: 'checked the wording',
      });
    },
    60_000,
  );
});
