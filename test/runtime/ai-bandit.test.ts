import { testModelsDir } from '@waymark/models';
import type { ReceivedMail } from '@waymark/runtime/testing';
import { describe, expect, it } from 'vitest';
import { type DatabaseKind, eventually, type TestRuntime, useTestRuntime } from '../support/runtime.ts';

const template = {
  id: 'promo',
  name: 'Promo',
  subject: 'Fallback subject',
  mjml: `<mjml><mj-body><mj-section><mj-column>
    <mj-text>Our new headphones are here.</mj-text>
  </mj-column></mj-section></mj-body></mjml>`,
};

/** trigger → ai.generateSubject (3 variants) → action.sendEmail (subjectFrom ai: Thompson sampling on opens). */
const journey = {
  schemaVersion: 1,
  id: 'promo',
  settings: {},
  nodes: [
    { id: 'start', type: 'trigger.event', config: { event: 'promo_due' } },
    {
      id: 'write',
      type: 'ai.generateSubject',
      config: { brief: 'wireless headphones', tone: 'promotional', variants: 3, maxLength: 60 },
    },
    { id: 'send', type: 'action.sendEmail', config: { template: 'promo', subjectFrom: 'ai' } },
    { id: 'done', type: 'flow.exit', config: {} },
  ],
  edges: [
    { from: 'start', to: 'write' },
    { from: 'write', to: 'send' },
    { from: 'send', to: 'done' },
  ],
};

const wave = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

/** Enrols the contacts and returns their emails (subject and open-pixel URL) once all have arrived. */
async function send(t: TestRuntime, received: ReceivedMail[], ids: string[]) {
  await t.api('POST', '/v1/contacts', { contacts: ids.map((id) => ({ id, email: `${id}@example.com` })) });
  const accepted = await t.api('POST', '/v1/events', {
    events: ids.map((contactId) => ({ contactId, event: 'promo_due' })),
  });
  expect(accepted.status).toBe(202);
  const addresses = new Set(ids.map((id) => `${id}@example.com`));
  const mails = await eventually(
    async () => {
      const mine = received.filter((m) => m.envelope.to.some((to) => addresses.has(to)));
      return mine.length === ids.length ? mine : undefined;
    },
    60_000,
    `${ids.length} emails`,
  );
  return Promise.all(
    mails.map(async (m) => {
      const parsed = await m.parse();
      const pixel = /https?:\/\/[^"'\s>]+\/t\/o\/[^"'\s>]+/.exec(String(parsed.html))?.[0];
      if (!pixel) throw new Error(`no open pixel in the email to ${m.envelope.to.join(', ')}`);
      return { subject: parsed.subject ?? '', pixel: pixel.replaceAll('&amp;', '&') };
    }),
  );
}

const share = (subjects: string[], subject: string) => subjects.filter((s) => s === subject).length / subjects.length;

const kinds: DatabaseKind[] = ['pglite', 'postgres'];

describe.each(kinds)('the subject-line bandit learns from opens of AI variants on %s', (kind) => {
  const suite = useTestRuntime(kind, { smtp: true, config: { modelsDir: testModelsDir } });

  it.skipIf(suite.skip)(
    'sends later contacts the variant that was opened markedly more often',
    async () => {
      const { t, smtp } = suite;
      expect((await t.api('POST', '/v1/templates', template)).status).toBe(201);
      expect((await t.api('POST', '/v1/journeys', { id: 'promo', name: 'Promo', definition: journey })).status).toBe(
        201,
      );
      expect((await t.api('POST', '/v1/journeys/promo/publish')).status).toBe(200);

      // Wave 1: nothing is known yet, so the three generated variants are spread over the contacts.
      const first = await send(t, smtp.received, wave('a', 30));
      const firstSubjects = first.map((m) => m.subject);
      const variants = [...new Set(firstSubjects)];
      expect(variants).toHaveLength(3);
      // Only the emails carrying the most-sent variant are opened, through their real tracking pixels.
      const winner = variants.reduce((best, v) => (share(firstSubjects, v) > share(firstSubjects, best) ? v : best));
      const opened = first.filter((m) => m.subject === winner);
      for (const m of opened) {
        const res = await fetch(m.pixel);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('image/gif');
      }
      const stats = (await t.api<{ nodes: Record<string, Record<string, number>> }>('GET', '/v1/journeys/promo/stats'))
        .body.nodes.send;
      expect(stats?.opened).toBe(opened.length);
      expect(stats?.sent).toBe(30);

      // A new process (no cached counters) serves wave 2: it learns from what is stored.
      await t.restart();
      const second = await send(t, smtp.received, wave('b', 30));
      const secondSubjects = second.map((m) => m.subject);
      expect(new Set(secondSubjects).size).toBeLessThanOrEqual(3);
      for (const s of secondSubjects) expect(variants).toContain(s);

      const before = share(firstSubjects, winner);
      const after = share(secondSubjects, winner);
      // Thompson sampling after ~10 opens of ~10 sends against 0 of ~10 for each other variant: the
      // opened variant is drawn nearly always. Contact ids are fixed, so the draws are reproducible.
      expect(before).toBeLessThanOrEqual(0.6);
      expect(after).toBeGreaterThanOrEqual(0.9);
      expect(after - before).toBeGreaterThanOrEqual(0.3);
    },
    180_000,
  );
});
