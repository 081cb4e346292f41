import type { ReceivedMail } from '@waymark/runtime/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type DatabaseKind, eventually, queryRows, useTestRuntime } from '../support/runtime.ts';

const kinds: DatabaseKind[] = ['pglite', 'postgres'];
const day = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();

const template = (id: string, subject: string) => ({
  id,
  name: subject,
  subject,
  mjml: `<mjml><mj-body><mj-section><mj-column><mj-text>${subject}</mj-text></mj-column></mj-section></mj-body></mjml>`,
});

/** trigger → send `templateId` → exit. */
const sendOnce = (id: string, trigger: { type: string; config: unknown }, templateId: string, settings = {}) => ({
  schemaVersion: 1,
  id,
  settings,
  nodes: [
    { id: 'start', ...trigger },
    { id: 'send', type: 'action.sendEmail', config: { template: templateId } },
    { id: 'done', type: 'flow.exit', config: {} },
  ],
  edges: [
    { from: 'start', to: 'send' },
    { from: 'send', to: 'done' },
  ],
});

describe.each(kinds)('live segments, date triggers and RFM on %s', (kind) => {
  // The live audience reads this clock: tests move it instead of waiting.
  let now = Date.now();
  const suite = useTestRuntime(kind, { smtp: true, overrides: { clock: () => now } });
  const skip = suite.skip;

  const rows = <T>(query: ReturnType<typeof sql>) => queryRows<T>(suite.t, query);
  const members = async (segment: string) => {
    const r = await suite.t.api<{ members: { contactId: string }[]; computing: boolean }>(
      'GET',
      `/v1/segments/${segment}/members`,
    );
    expect(r.status).toBe(200);
    return r.body;
  };
  const computed = (segment: string) =>
    eventually(async () => {
      const m = await members(segment);
      return m.computing ? undefined : m.members.map((x) => x.contactId);
    });
  const eventsOf = async (contactId: string) =>
    (
      await suite.t.api<{ events: { name: string; at: string; properties: Record<string, unknown> }[] }>(
        'GET',
        `/v1/contacts/${contactId}/events?limit=200`,
      )
    ).body.events;
  const allProcessed = (contactId: string) =>
    eventually(async () => {
      const [r] = await rows<{ n: number }>(
        sql`select count(*)::int as n from events where contact_id = ${contactId} and processed_at is null`,
      );
      return r?.n === 0 ? true : undefined;
    });
  const mailTo = (address: string) =>
    eventually<ReceivedMail>(
      async () => suite.smtp.received.find((m) => m.envelope.to.includes(address)),
      20_000,
      `an email to ${address}`,
    );

  it.skipIf(skip)(
    'a segment counting purchases in a window admits a contact, and releases it when the older purchase leaves the window',
    async () => {
      const { t } = suite;
      now = Date.now();
      const repeat = { event: 'purchase', count: { op: 'gte', value: 2 }, within: 'P30D' };
      expect(
        (await t.api('POST', '/v1/segments', { id: 'repeat', name: 'Repeat buyers', condition: repeat })).status,
      ).toBe(201);
      expect(await computed('repeat')).toEqual([]);

      await t.api('POST', '/v1/contacts', { id: 'ann', email: 'ann@example.com' });
      const older = now - 20 * day;
      const sent = await t.api('POST', '/v1/events', {
        events: [
          { contactId: 'ann', event: 'purchase', at: iso(older) },
          { contactId: 'ann', event: 'purchase', at: iso(now - 10 * day) },
        ],
      });
      expect(sent.status).toBe(202);
      // Membership changed in the ingesting transaction: no waiting.
      expect((await members('repeat')).members.map((m) => m.contactId)).toEqual(['ann']);
      expect((await eventsOf('ann')).filter((e) => e.name === 'segment.entered')).toEqual([
        expect.objectContaining({ properties: { segment: 'repeat' }, at: iso(now) }),
      ]);
      // The next re-evaluation is the millisecond the older purchase leaves the 30-day window.
      const leaves = older + 30 * day + 1;
      const [recheck] = await rows<{ due_at: Date | string }>(
        sql`select due_at from segment_rechecks where contact_id = 'ann'`,
      );
      expect(new Date(recheck?.due_at as string).toISOString()).toBe(iso(leaves));

      // A purchase of another name does not count; the clock passing the boundary releases her.
      await t.api('POST', '/v1/events', { contactId: 'ann', event: 'page_view', at: iso(now) });
      now = leaves + 1_000;
      await eventually(async () => ((await members('repeat')).members.length === 0 ? true : undefined));
      const left = (await eventsOf('ann')).filter((e) => e.name === 'segment.left');
      expect(left).toEqual([expect.objectContaining({ properties: { segment: 'repeat' } })]);
      expect(await rows(sql`select 1 from segment_rechecks where contact_id = 'ann'`)).toEqual([]);
    },
    60_000,
  );

  it.skipIf(skip)(
    'entering a segment enrols in its trigger.segment journey exactly once; attribute changes through the API and journeys move contacts',
    async () => {
      const { t } = suite;
      now = Date.now();
      // Already matching when the segment is saved: a member, but not "entering".
      await t.api('POST', '/v1/contacts', { id: 'old', email: 'old@example.com', attributes: { plan: 'pro' } });
      const vip = { attribute: 'plan', op: 'eq', value: 'pro' };
      expect((await t.api('POST', '/v1/segments', { id: 'vip', name: 'VIP', condition: vip })).status).toBe(201);
      expect(await computed('vip')).toEqual(['old']);

      expect((await t.api('POST', '/v1/templates', template('vip-welcome', 'Welcome to VIP'))).status).toBe(201);
      const journey = sendOnce('vip-welcome', { type: 'trigger.segment', config: { segment: 'vip' } }, 'vip-welcome');
      expect(
        (await t.api('POST', '/v1/journeys', { id: 'vip-welcome', name: 'VIP', definition: journey })).status,
      ).toBe(201);
      expect((await t.api('POST', '/v1/journeys/vip-welcome/publish')).status).toBe(200);

      await t.api('POST', '/v1/contacts', { id: 'bob', email: 'bob@example.com', attributes: { plan: 'free' } });
      expect((await members('vip')).members.map((m) => m.contactId)).toEqual(['old']);
      expect((await t.api('POST', '/v1/contacts', { id: 'bob', attributes: { plan: 'pro' } })).status).toBe(200);
      expect((await members('vip')).members.map((m) => m.contactId)).toEqual(['bob', 'old']);
      const mail = await mailTo('bob@example.com');
      expect((await mail.parse()).subject).toBe('Welcome to VIP');

      // Out and in again: two entries, one run (reEntry defaults to never).
      await t.api('POST', '/v1/contacts', { id: 'bob', attributes: { plan: 'free' } });
      await t.api('POST', '/v1/contacts', { id: 'bob', attributes: { plan: 'pro' } });
      await allProcessed('bob');
      const names = (await eventsOf('bob')).map((e) => e.name).reverse();
      expect(names).toEqual(['segment.entered', 'segment.left', 'segment.entered']);
      const sends = await rows<{ n: number }>(
        sql`select count(*)::int as n from outbox where journey_id = 'vip-welcome' and contact_id = 'bob'`,
      );
      expect(sends).toEqual([{ n: 1 }]);
      const stats = await t.api<{ nodes: Record<string, Record<string, number>> }>(
        'GET',
        '/v1/journeys/vip-welcome/stats',
      );
      expect(stats.body.nodes.start?.entered).toBe(1);
      // The member from before the segment existed was never enrolled.
      expect((await eventsOf('old')).map((e) => e.name)).not.toContain('segment.entered');
      expect(await rows(sql`select 1 from outbox where contact_id = 'old'`)).toEqual([]);

      // A journey's action.updateContact moves a contact in, in the scheduler's transaction.
      const upgrade = {
        schemaVersion: 1,
        id: 'upgrade',
        nodes: [
          { id: 'start', type: 'trigger.event', config: { event: 'upgraded' } },
          { id: 'set', type: 'action.updateContact', config: { set: { plan: 'pro' } } },
          { id: 'done', type: 'flow.exit', config: {} },
        ],
        edges: [
          { from: 'start', to: 'set' },
          { from: 'set', to: 'done' },
        ],
      };
      expect(
        (await t.api('POST', '/v1/journeys', { id: 'upgrade', name: 'Upgrade', definition: upgrade })).status,
      ).toBe(201);
      expect((await t.api('POST', '/v1/journeys/upgrade/publish')).status).toBe(200);
      await t.api('POST', '/v1/events', { email: 'carl@example.com', event: 'upgraded' });
      const carl = await mailTo('carl@example.com');
      expect((await carl.parse()).subject).toBe('Welcome to VIP');

      // Editing the condition recomputes silently: bob leaves without a segment.left, no one new enters.
      const edited = await t.api('PUT', '/v1/segments/vip', {
        name: 'VIP',
        condition: { attribute: 'plan', op: 'eq', value: 'enterprise' },
      });
      expect(edited.status).toBe(200);
      expect(await computed('vip')).toEqual([]);
      expect((await eventsOf('bob')).filter((e) => e.name === 'segment.left')).toHaveLength(1);

      const bad = await t.api<{ error: { message: string } }>('PUT', '/v1/segments/vip', {
        name: 'VIP',
        condition: { attribute: 'plan', op: 'like', value: 'x' },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/^condition/);
      expect((await t.api('PUT', '/v1/segments/nope', { name: 'X', condition: vip })).status).toBe(404);
    },
    60_000,
  );

  it.skipIf(skip)(
    'a trigger.date journey sends on the date plus offset at the local time, and moves to next year',
    async () => {
      const { t } = suite;
      now = Date.parse('2031-07-01T00:00:00Z');
      expect((await t.api('POST', '/v1/templates', template('birthday', 'Happy birthday tomorrow'))).status).toBe(201);
      await t.api('POST', '/v1/contacts', {
        contacts: [
          // Her own time zone wins …
          {
            id: 'dana',
            email: 'dana@example.com',
            attributes: { birthday: '1990-07-15', timezone: 'America/New_York' },
          },
          // … else the journey's.
          { id: 'eve', email: 'eve@example.com', attributes: { birthday: '1985-07-20' } },
          { id: 'finn', email: 'finn@example.com', attributes: { birthday: 'sometime' } },
        ],
      });
      const journey = sendOnce(
        'birthday',
        { type: 'trigger.date', config: { attribute: 'birthday', offset: '-P1D', at: '09:00', repeat: 'yearly' } },
        'birthday',
        { timezone: 'Europe/Warsaw', reEntry: 'always' },
      );
      expect(
        (await t.api('POST', '/v1/journeys', { id: 'birthday', name: 'Birthday', definition: journey })).status,
      ).toBe(201);
      expect((await t.api('POST', '/v1/journeys/birthday/publish')).status).toBe(200);
      const schedule = () =>
        rows<{ contact_id: string; due_at: Date | string }>(
          sql`select contact_id, due_at from date_enrolments where journey_id = 'birthday' order by contact_id`,
        ).then((r) => r.map((x) => [x.contact_id, new Date(x.due_at).toISOString()]));
      const expected = [
        ['dana', '2031-07-14T13:00:00.000Z'], // 09:00 EDT the day before
        ['eve', '2031-07-19T07:00:00.000Z'], // 09:00 CEST the day before
      ];
      expect(await eventually(async () => ((await schedule()).length === 2 ? schedule() : undefined))).toEqual(
        expected,
      );

      now = Date.parse('2031-07-14T13:00:30Z');
      const mail = await mailTo('dana@example.com');
      expect((await mail.parse()).subject).toBe('Happy birthday tomorrow');
      const dated = (await eventsOf('dana')).filter((e) => e.name === 'journey.date');
      expect(dated).toEqual([
        expect.objectContaining({ at: '2031-07-14T13:00:00.000Z', properties: { journey: 'birthday', node: 'start' } }),
      ]);
      expect(await schedule()).toEqual([
        ['dana', '2032-07-14T13:00:00.000Z'],
        ['eve', '2031-07-19T07:00:00.000Z'],
      ]);
      expect(suite.smtp.received.some((m) => m.envelope.to.includes('eve@example.com'))).toBe(false);

      // A changed date moves the schedule at once; a date removed drops it.
      await t.api('POST', '/v1/contacts', {
        contacts: [
          { id: 'eve', attributes: { birthday: '1985-07-25' } },
          { id: 'dana', attributes: { birthday: null } },
        ],
      });
      expect(await schedule()).toEqual([['eve', '2031-07-24T07:00:00.000Z']]);
    },
    60_000,
  );

  it.skipIf(skip)(
    'RFM scores appear on contacts as purchases arrive, age with the clock, and drive conditions',
    async () => {
      const { t } = suite;
      now = Date.parse('2031-09-01T12:00:00Z');
      const off = await t.api<{ enabled: boolean; purchaseEvent: string }>('GET', '/v1/rfm');
      expect(off.body).toMatchObject({ enabled: false, purchaseEvent: 'purchase' });
      const invalid = await t.api<{ error: { message: string } }>('PUT', '/v1/rfm', {
        purchaseEvent: 'order',
        thresholds: { recencyDays: [30, 7, 90, 180] },
      });
      expect(invalid.status).toBe(400);
      expect(JSON.stringify(invalid.body)).toContain('thresholds.recencyDays');
      const saved = await t.api('PUT', '/v1/rfm', { purchaseEvent: 'order', amountProperty: 'total' });
      expect(saved.status).toBe(200);
      expect((await t.api<{ enabled: boolean }>('GET', '/v1/rfm')).body).toMatchObject({
        enabled: true,
        purchaseEvent: 'order',
        amountProperty: 'total',
        thresholds: { recencyDays: [7, 30, 90, 180], frequency: [2, 3, 5, 10], monetary: [50, 150, 500, 1000] },
      });
      const champions = {
        all: [
          { attribute: 'rfm.recency_score', op: 'gte', value: 4 },
          { attribute: 'rfm.monetary_score', op: 'gte', value: 3 },
        ],
      };
      expect(
        (await t.api('POST', '/v1/segments', { id: 'champions', name: 'Champions', condition: champions })).status,
      ).toBe(201);
      expect(await computed('champions')).toEqual([]);

      await t.api('POST', '/v1/contacts', { id: 'gia', email: 'gia@example.com' });
      await t.api('POST', '/v1/events', {
        events: [
          { contactId: 'gia', event: 'order', at: iso(now - 40 * day), properties: { total: '80.50' } },
          { contactId: 'gia', event: 'order', at: iso(now - 3 * day), properties: { total: 120 } },
        ],
      });
      const contact = await t.api<{ attributes: { rfm: Record<string, unknown> } }>('GET', '/v1/contacts/gia');
      expect(contact.body.attributes.rfm).toEqual({
        recency_days: 3,
        frequency: 2,
        monetary: 200.5,
        recency_score: 5,
        frequency_score: 2,
        monetary_score: 3,
        score: '523',
        last_purchase_at: iso(now - 3 * day),
      });
      expect((await members('champions')).members.map((m) => m.contactId)).toEqual(['gia']);

      // 28 days later recency is 31 days: score 3, out of the segment without any new activity.
      now += 28 * day;
      await eventually(async () => ((await members('champions')).members.length === 0 ? true : undefined));
      const aged = await t.api<{ attributes: { rfm: Record<string, unknown> } }>('GET', '/v1/contacts/gia');
      expect(aged.body.attributes.rfm).toMatchObject({ recency_days: 31, recency_score: 3 });
    },
    60_000,
  );
});
