import { expect } from 'vitest';
import { eventually } from './runtime.ts';

/** The cart-abandonment journey of JOURNEY-FORMAT.md with waits shortened so a test can watch it run. */
export function cartJourney(wait = 'PT1S', timeout = 'PT2S') {
  return {
    schemaVersion: 1,
    id: 'cart',
    name: 'Cart abandonment',
    settings: { reEntry: 'afterExit', exitOn: [{ event: 'order_completed' }] },
    nodes: [
      { id: 'start', type: 'trigger.event', config: { event: 'cart_abandoned' } },
      { id: 'wait1h', type: 'flow.wait', config: { duration: wait } },
      { id: 'remind', type: 'action.sendEmail', config: { template: 'cart-reminder' } },
      { id: 'bought', type: 'flow.waitForEvent', config: { event: 'order_completed', timeout } },
      { id: 'vip', type: 'flow.condition', config: { if: { attribute: 'plan', op: 'eq', value: 'pro' } } },
      { id: 'coupon', type: 'action.sendEmail', config: { template: 'cart-coupon' } },
      { id: 'done', type: 'flow.exit', config: {} },
    ],
    edges: [
      { from: 'start', to: 'wait1h' },
      { from: 'wait1h', to: 'remind' },
      { from: 'remind', to: 'bought' },
      { from: 'bought', port: 'event', to: 'done' },
      { from: 'bought', port: 'timeout', to: 'vip' },
      { from: 'vip', port: 'yes', to: 'coupon' },
      { from: 'vip', port: 'no', to: 'done' },
      { from: 'coupon', to: 'done' },
    ],
  };
}

/** The email templates {@link cartJourney} sends, as `POST /v1/templates` bodies: publishing needs them to exist. */
export const cartTemplates = ['cart-reminder', 'cart-coupon'].map((id) => ({
  id,
  name: id,
  subject: id === 'cart-coupon' ? 'A coupon for your cart' : 'You left something in your cart',
  mjml: `<mjml><mj-body><mj-section><mj-column><mj-text>${id}</mj-text></mj-column></mj-section></mj-body></mjml>`,
}));

/** MJML with `inner` in one section and column. */
export const mjmlBody = (inner: string) =>
  `<mjml><mj-body><mj-section><mj-column>${inner}</mj-column></mj-section></mj-body></mjml>`;

/** A journey `j-<template>` that sends `template` each time the event `send_<template>` arrives (re-entry always). */
export function sendOnEvent(template: string) {
  const mail = `mail-${template}`;
  return {
    schemaVersion: 1,
    id: `j-${template}`,
    settings: { reEntry: 'always' },
    nodes: [
      { id: 'go', type: 'trigger.event', config: { event: `send_${template}` } },
      { id: mail, type: 'action.sendEmail', config: { template } },
      { id: 'end', type: 'flow.exit', config: {} },
    ],
    edges: [
      { from: 'go', to: mail },
      { from: mail, to: 'end' },
    ],
  };
}

/** Creates each template and publishes its {@link sendOnEvent} journey, expecting each step to succeed. */
export async function publishSendOnEvent(
  t: { api: (method: string, path: string, body?: unknown) => Promise<{ status: number }> },
  templates: { id: string }[],
): Promise<void> {
  for (const template of templates) expect((await t.api('POST', '/v1/templates', template)).status).toBe(201);
  for (const { id } of templates) {
    const journey = sendOnEvent(id);
    expect((await t.api('POST', '/v1/journeys', { id: journey.id, name: id, definition: journey })).status).toBe(201);
    expect((await t.api('POST', `/v1/journeys/${journey.id}/publish`)).status).toBe(200);
  }
}

/**
 * Posts `send_<template>` for a contact (see {@link sendOnEvent}) and waits until `settled` (the
 * contact's settled emails, oldest first) has one more; resolves with how that email was settled.
 */
export async function sendAndSettle(
  t: { api: (method: string, path: string, body?: unknown) => Promise<{ status: number }> },
  settled: (contactId: string) => Promise<{ status: string; last_error: string | null; template: string }[]>,
  contactId: string,
  template: string,
): Promise<{ status: string; reason: string | null }> {
  const before = (await settled(contactId)).length;
  const posted = await t.api('POST', '/v1/events', { contactId, event: `send_${template}` });
  expect(posted.status).toBe(202);
  const done = await eventually(
    async () => {
      const list = await settled(contactId);
      return list.length > before ? list[list.length - 1] : undefined;
    },
    20_000,
    `${template} to ${contactId} settled`,
  );
  expect(done.template).toBe(template);
  return { status: done.status, reason: done.last_error };
}
