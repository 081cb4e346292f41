import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testModelsDir } from '@waymark/models';
import { schema } from '@waymark/runtime/db';
import { startTestSmtp } from '@waymark/runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, type DatabaseKind, eventually, startTestRuntime, type TestRuntime } from '../support/runtime.ts';

const template = {
  id: 'launch',
  name: 'Launch',
  subject: 'Fallback subject',
  mjml: `<mjml><mj-body><mj-section><mj-column>
    <mj-text>Hi {{contact.first_name | default: "there"}}, our new headphones are here.</mj-text>
  </mj-column></mj-section></mj-body></mjml>`,
};

/** trigger → ai.generateSubject → ai.sentimentGuard (subject) → flow.approval → action.sendEmail (subjectFrom ai). */
const journey = {
  schemaVersion: 1,
  id: 'launch',
  settings: {},
  nodes: [
    { id: 'start', type: 'trigger.event', config: { event: 'launch_planned' } },
    {
      id: 'write',
      type: 'ai.generateSubject',
      config: { brief: 'wireless headphones', tone: 'promotional', variants: 3, maxLength: 60 },
    },
    { id: 'tone', type: 'ai.sentimentGuard', config: { source: 'subject', minScore: -0.5 } },
    { id: 'review', type: 'flow.approval', config: { timeout: 'P2D' } },
    { id: 'send', type: 'action.sendEmail', config: { template: 'launch', subjectFrom: 'ai' } },
    { id: 'done', type: 'flow.exit', config: {} },
  ],
  edges: [
    { from: 'start', to: 'write' },
    { from: 'write', to: 'tone' },
    { from: 'tone', port: 'pass', to: 'review' },
    { from: 'tone', port: 'fail', to: 'done' },
    { from: 'review', port: 'approved', to: 'send' },
    { from: 'review', port: 'rejected', to: 'done' },
    { from: 'review', port: 'timeout', to: 'done' },
    { from: 'send', to: 'done' },
  ],
};

interface PendingApproval {
  journeyId: string;
  contactId: string;
  email: string | null;
  node: string;
  runId: string;
  subjects: string[] | null;
  scores: number[] | null;
}
type Stats = { nodes: Record<string, Record<string, number>> };

async function publish(t: TestRuntime) {
  expect((await t.api('POST', '/v1/templates', template)).status).toBe(201);
  expect((await t.api('POST', '/v1/journeys', { id: 'launch', name: 'Launch', definition: journey })).status).toBe(201);
  expect((await t.api('POST', '/v1/journeys/launch/publish')).status).toBe(200);
}

const stats = async (t: TestRuntime) => (await t.api<Stats>('GET', '/v1/journeys/launch/stats')).body.nodes;

const kinds: DatabaseKind[] = ['pglite', 'postgres'];

describe.each(kinds)('an AI-written subject goes out only after approval on %s', (kind) => {
  const skip = backend(kind).skip;
  let t: TestRuntime;
  let smtp: Awaited<ReturnType<typeof startTestSmtp>>;

  beforeAll(async () => {
    if (skip) return;
    smtp = await startTestSmtp();
    t = await startTestRuntime(kind, { smtpUrl: smtp.url, modelsDir: testModelsDir });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await smtp?.close();
  });

  it.skipIf(skip)(
    'generates and scores variants, holds the run for review, then sends the approved (edited) subject',
    async () => {
      const empty = await t.api<{ approvals: unknown[] }>('GET', '/v1/approvals');
      expect(empty.status).toBe(200);
      expect(empty.body.approvals).toEqual([]);
      await publish(t);
      await t.api('POST', '/v1/contacts', {
        contacts: [
          { id: 'ann', email: 'ann@example.com', attributes: { first_name: 'Ann' } },
          { id: 'bob', email: 'bob@example.com' },
        ],
      });
      const sent = await t.api('POST', '/v1/events', {
        events: [
          { contactId: 'ann', event: 'launch_planned' },
          { contactId: 'bob', event: 'launch_planned' },
        ],
      });
      expect(sent.status).toBe(202);

      // Both runs stop at the approval node with three distinct, scored variants; nothing is sent.
      const pending = await eventually(
        async () => {
          const r = await t.api<{ approvals: PendingApproval[] }>('GET', '/v1/approvals?journeyId=launch');
          return r.body.approvals.length === 2 ? r.body.approvals : undefined;
        },
        30_000,
        'two runs waiting for approval',
      );
      const ann = pending.find((a) => a.contactId === 'ann') as PendingApproval;
      expect(ann).toMatchObject({ journeyId: 'launch', node: 'review', email: 'ann@example.com' });
      expect(ann.subjects).toHaveLength(3);
      expect(new Set(ann.subjects).size).toBe(3);
      for (const s of ann.subjects ?? []) {
        expect(s.length).toBeLessThanOrEqual(60);
        expect(s.toLowerCase()).toContain('wireless headphones');
      }
      expect(ann.scores).toHaveLength(3);
      for (const score of ann.scores ?? []) expect(Math.abs(score)).toBeLessThanOrEqual(1);
      const waiting = await stats(t);
      expect(waiting.review?.waiting).toBe(2);
      expect(waiting.tone?.['left:pass']).toBe(2);
      await new Promise((r) => setTimeout(r, 500));
      expect(smtp.received).toHaveLength(0);

      // Bad decisions are refused with coded errors.
      const bad = await t.api<{ error: { code: string } }>('POST', '/v1/approvals/launch/ann/review', {
        decision: 'maybe',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('invalid_request');
      const wrongNode = await t.api<{ error: { code: string } }>('POST', '/v1/approvals/launch/ann/send', {
        decision: 'approved',
      });
      expect(wrongNode.status).toBe(404);

      // Ann's subject is approved with an edit; Bob's is rejected.
      const edited = 'Meet our new wireless headphones';
      const approved = await t.api<{ decision: string; subjects: string[]; decidedAt: string }>(
        'POST',
        '/v1/approvals/launch/ann/review',
        { decision: 'approved', subjects: [edited], reviewer: 'maria@acme.test' },
      );
      expect(approved.status).toBe(202);
      expect(approved.body).toMatchObject({ decision: 'approved', subjects: [edited] });
      const twice = await t.api('POST', '/v1/approvals/launch/ann/review', { decision: 'rejected' });
      expect([404, 409]).toContain(twice.status);
      const rejected = await t.api('POST', '/v1/approvals/launch/bob/review', { decision: 'rejected' });
      expect(rejected.status).toBe(202);

      const mail = await eventually(
        async () => smtp.received.find((m) => m.envelope.to.includes('ann@example.com')),
        20_000,
        "Ann's email",
      );
      expect((await mail.parse()).subject).toBe(edited);
      const final = await eventually(
        async () => {
          const n = await stats(t);
          return n.done?.exited === 2 ? n : undefined;
        },
        15_000,
        'both runs to finish',
      );
      expect(final.review).toMatchObject({ 'left:approved': 1, 'left:rejected': 1 });
      expect(final.send?.left).toBe(1);
      expect(smtp.received.filter((m) => m.envelope.to.includes('bob@example.com'))).toHaveLength(0);
      expect((await t.api<{ approvals: unknown[] }>('GET', '/v1/approvals')).body.approvals).toHaveLength(0);

      // Who decided and when is kept with the decision.
      const { db } = t.runtime.services;
      const decision = (await db.select().from(schema.events)).find(
        (e) => e.name === 'approval.decided' && e.contactId === 'ann',
      );
      expect(decision?.properties).toMatchObject({
        journey: 'launch',
        node: 'review',
        decision: 'approved',
        decidedBy: { credential: 'apiKey', actor: `apiKey:${t.apiKey.slice(0, 9)}`, reviewerLabel: 'maria@acme.test' },
        content: { subjects: [edited], decidedAt: approved.body.decidedAt },
      });
    },
    90_000,
  );
});

/** A local address nothing listens on: a port the system just handed out, closed again. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}

describe.each(kinds)(
  'without a models folder and an unreachable hub, the AI step fails and nothing is sent on %s',
  (kind) => {
    const skip = backend(kind).skip;
    let t: TestRuntime;
    let smtp: Awaited<ReturnType<typeof startTestSmtp>>;
    let hub: string;

    beforeAll(async () => {
      if (skip) return;
      smtp = await startTestSmtp();
      hub = await closedPort();
      // Downloads allowed, from a hub that refuses the connection: as on a machine without network.
      t = await startTestRuntime(kind, { smtpUrl: smtp.url, modelsOffline: false, modelsHost: hub });
    }, 60_000);
    afterAll(async () => {
      await t?.stop();
      await smtp?.close();
    });

    it.skipIf(skip)(
      'reports model_unavailable on the AI step, naming the model and what to configure, and holds the run there',
      async () => {
        await publish(t);
        await t.api('POST', '/v1/events', { email: 'cy@example.com', event: 'launch_planned' });
        const { db } = t.runtime.services;
        const effect = await eventually(
          async () => {
            const row = (await db.select().from(schema.outbox)).find((r) => r.node === 'write');
            return row?.status === 'failed' ? row : undefined;
          },
          15_000,
          'the failed AI request',
        );
        expect(effect.kind).toBe('generateSubject');
        expect(effect.lastError).toMatch(
          /^model_unavailable: subject-line model "Xenova\/LaMini-Flan-T5-77M" is unavailable/,
        );
        expect(effect.lastError).toContain('WAYMARK_MODELS_DIR');
        expect(effect.lastError).toContain('packages/models/test-models');
        expect(effect.lastError).toContain(hub);
        const state = await eventually(
          async () => {
            const row = (await db.select().from(schema.journeyStates)).find((r) => r.journeyId === 'launch');
            const run = (row?.state as { runs?: { node: string; failed?: { code: string; message: string } }[] })
              ?.runs?.[0];
            return run?.failed ? run : undefined;
          },
          15_000,
          'the failed step',
        );
        expect(state.node).toBe('write');
        expect(state.failed?.code).toBe('model_unavailable');
        expect(state.failed?.message).toContain('WAYMARK_MODELS_DIR');
        const result = (await db.select().from(schema.events)).find(
          (e) => e.name === 'effect.result' && e.contactId === effect.contactId,
        );
        expect(result?.properties).toMatchObject({ node: 'write', ok: false, error: { code: 'model_unavailable' } });
        const n = await stats(t);
        expect(n.write?.['failed:model_unavailable']).toBe(1);
        expect(n.tone?.left).toBeUndefined();
        expect(n.review).toBeUndefined();
        await new Promise((r) => setTimeout(r, 500));
        expect(smtp.received).toHaveLength(0);
        const emails = (await db.select().from(schema.outbox)).filter((r) => r.kind === 'email');
        expect(emails).toHaveLength(0);
      },
      60_000,
    );
  },
);
