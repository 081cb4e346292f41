import type { ReceivedMail } from '@waymark/runtime/testing';
import { describe, expect, it } from 'vitest';
import { type DatabaseKind, eventually, useTestRuntime } from '../support/runtime.ts';

const template = {
  id: 'cart-reminder',
  name: 'Cart reminder',
  subject: 'You left something, {{contact.first_name | default: "there"}}',
  mjml: `<mjml><mj-body><mj-section><mj-column>
    <mj-text>Hi {{contact.first_name | default: "there"}}, your cart is waiting.</mj-text>
    <mj-button href="https://shop.example.com/cart?c={{contact.id}}">Back to my cart</mj-button>
  </mj-column></mj-section></mj-body></mjml>`,
};

const journey = {
  schemaVersion: 1,
  id: 'cart',
  settings: { exitOn: [{ event: 'order_completed' }] },
  nodes: [
    { id: 'start', type: 'trigger.event', config: { event: 'cart_abandoned' } },
    { id: 'wait', type: 'flow.wait', config: { duration: 'PT1S' } },
    { id: 'remind', type: 'action.sendEmail', config: { template: 'cart-reminder' } },
    { id: 'bought', type: 'flow.waitForEvent', config: { event: 'order_completed', timeout: 'PT1M' } },
    { id: 'done', type: 'flow.exit', config: {} },
  ],
  edges: [
    { from: 'start', to: 'wait' },
    { from: 'wait', to: 'remind' },
    { from: 'remind', to: 'bought' },
    { from: 'bought', port: 'event', to: 'done' },
    { from: 'bought', port: 'timeout', to: 'done' },
  ],
};

const kinds: DatabaseKind[] = ['pglite', 'postgres'];

describe.each(kinds)('an event becomes a delivered, tracked email on %s', (kind) => {
  const suite = useTestRuntime(kind, { smtp: true });
  const skip = suite.skip;

  it.skipIf(skip)(
    'enrols, waits, sends with merge tags and unsubscribe headers, tracks a click, unsubscribes, exits on the goal',
    async () => {
      const { t, smtp } = suite;
      expect((await t.api('POST', '/v1/templates', template)).status).toBe(201);
      expect((await t.api('POST', '/v1/journeys', { id: 'cart', name: 'Cart', definition: journey })).status).toBe(201);
      expect((await t.api('POST', '/v1/journeys/cart/publish')).status).toBe(200);

      const enrolled = await t.api('POST', '/v1/events', {
        email: 'ann@example.com',
        event: 'cart_abandoned',
        attributes: { first_name: '<Ann & co>' },
      });
      expect(enrolled.status).toBe(202);

      const mail = await eventually<ReceivedMail>(
        async () => smtp.received.find((m) => m.envelope.to.includes('ann@example.com')),
        20_000,
        'the email',
      );
      const parsed = await mail.parse();
      expect(parsed.subject).toBe('You left something, <Ann & co>');
      expect(parsed.html).toContain('Hi &lt;Ann &amp; co&gt;, your cart is waiting.');
      expect(parsed.text).toContain('Hi <Ann & co>, your cart is waiting.');
      expect(parsed.html).not.toMatch(/data-gjs|id="i[a-z0-9]{3,}"/);
      const header = (name: string) =>
        new RegExp(`^${name}: ?(.*(?:\r?\n[ \t].*)*)`, 'im').exec(mail.raw)?.[1]?.replace(/\r?\n[ \t]+/g, ' ');
      const listUnsubscribe = String(header('List-Unsubscribe'));
      expect(listUnsubscribe).toMatch(/<http:\/\/localhost:\d+\/u\/[^>]+>/);
      expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');

      // The button goes through a signed redirect to exactly the URL that was in the email.
      const click = /href="(http:\/\/localhost:\d+\/t\/c\/[^"]+)"/.exec(String(parsed.html))?.[1];
      expect(click).toBeDefined();
      const redirected = await fetch(click as string, { redirect: 'manual' });
      expect(redirected.status).toBe(302);
      expect(redirected.headers.get('location')).toMatch(/^https:\/\/shop\.example\.com\/cart\?c=c_/);
      const tampered = await fetch(`${(click as string).slice(0, -3)}xyz`, { redirect: 'manual' });
      expect(tampered.status).toBe(400);
      const clicked = await eventually(async () => {
        const s = await t.api<{ nodes: Record<string, Record<string, number>> }>('GET', '/v1/journeys/cart/stats');
        return s.body.nodes.remind?.clicked === 1 ? s.body : undefined;
      });
      expect(clicked.nodes.remind).toMatchObject({ sent: 1, clicked: 1 });

      // RFC 8058 one-click unsubscribe: a POST to the header's URL suppresses the address at once.
      const unsubscribeUrl = /<(http[^>]+)>/.exec(listUnsubscribe)?.[1] as string;
      const unsubscribed = await fetch(unsubscribeUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(unsubscribed.status).toBe(200);
      const stats = await eventually(async () => {
        const s = await t.api<{ nodes: Record<string, Record<string, number>> }>('GET', '/v1/journeys/cart/stats');
        return s.body.nodes.remind?.unsubscribed === 1 ? s.body : undefined;
      });
      expect(stats.nodes.remind?.unsubscribed).toBe(1);

      // The goal event ends the run where it waits.
      const contactId = /c=(c_[^&"]+)/.exec(String(redirected.headers.get('location')))?.[1] as string;
      await t.api('POST', '/v1/events', { contactId, event: 'order_completed' });
      const final = await eventually(async () => {
        const s = await t.api<{ nodes: Record<string, Record<string, number>> }>('GET', '/v1/journeys/cart/stats');
        return s.body.nodes.bought?.goal === 1 ? s.body : undefined;
      });
      expect(final.nodes.bought).toMatchObject({ entered: 1, goal: 1 });
      expect(final.nodes.bought?.waiting).toBeUndefined();
    },
    60_000,
  );
  it.skipIf(skip)('sends the emails of two journeys whose steps have the same ids to the same contact', async () => {
    const { t, smtp } = suite;
    const mjml = (word: string) =>
      `<mjml><mj-body><mj-section><mj-column><mj-text>${word}</mj-text></mj-column></mj-section></mj-body></mjml>`;
    for (const id of ['welcome-a', 'welcome-b'])
      expect((await t.api('POST', '/v1/templates', { id, name: id, subject: id, mjml: mjml(id) })).status).toBe(201);
    for (const id of ['welcome-a', 'welcome-b']) {
      const definition = {
        schemaVersion: 1,
        id,
        nodes: [
          { id: 'start', type: 'trigger.event', config: { event: 'joined' } },
          { id: 'mail', type: 'action.sendEmail', config: { template: id } },
          { id: 'end', type: 'flow.exit', config: {} },
        ],
        edges: [
          { from: 'start', to: 'mail' },
          { from: 'mail', to: 'end' },
        ],
      };
      expect((await t.api('POST', '/v1/journeys', { id, name: id, definition })).status).toBe(201);
      expect((await t.api('POST', `/v1/journeys/${id}/publish`)).status).toBe(200);
    }
    expect((await t.api('POST', '/v1/events', { email: 'both@example.com', event: 'joined' })).status).toBe(202);
    const subjects = await eventually(
      async () => {
        const got = smtp.received.filter((m) => m.envelope.to.includes('both@example.com'));
        return got.length >= 2 ? Promise.all(got.map(async (m) => (await m.parse()).subject)) : undefined;
      },
      20_000,
      'both emails',
    );
    expect(subjects.sort()).toEqual(['welcome-a', 'welcome-b']);
  });
});
