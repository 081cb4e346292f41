import { describe, expect, it } from 'vitest';
import { at, prepare } from '../test-util.ts';
import { simulate } from './simulate.ts';

const cart = prepare(
  [
    { id: 'start', type: 'trigger.event', config: { event: 'cart_abandoned' } },
    { id: 'wait1h', type: 'flow.wait', config: { duration: 'PT1H' } },
    { id: 'remind', type: 'action.sendEmail', config: { template: 'cart-reminder' } },
    { id: 'bought', type: 'flow.waitForEvent', config: { event: 'order_completed', timeout: 'P1D' } },
    { id: 'vip', type: 'flow.condition', config: { if: { attribute: 'plan', op: 'eq', value: 'pro' } } },
    { id: 'coupon', type: 'action.sendEmail', config: { template: 'cart-coupon' } },
    { id: 'done', type: 'flow.exit' },
  ],
  [
    'start -> wait1h',
    'wait1h -> remind',
    'remind -> bought',
    'bought:event -> done',
    'bought:timeout -> vip',
    'vip:yes -> coupon',
    'vip:no -> done',
    'coupon -> done',
  ],
  {
    timezone: 'Europe/Warsaw',
    reEntry: 'afterExit',
    exitOn: [{ event: 'order_completed' }],
    quietHours: { start: '21:00', end: '08:00' },
    frequencyCap: { max: 3, per: 'P7D' },
  },
);

const abandoned = { event: 'cart_abandoned', at: at('2026-03-02T10:00:00Z'), properties: {} };

describe('simulate', () => {
  it('prints the lines of the JOURNEY-FORMAT.md example, in order', () => {
    const lines = simulate(cart, { id: 'c1', attributes: { plan: 'free' } }, [abandoned]).map((l) => JSON.stringify(l));
    expect(lines).toEqual([
      '{"at":"2026-03-02T10:00:00.000Z","node":"start","type":"trigger.event"}',
      '{"at":"2026-03-02T11:00:00.000Z","node":"wait1h","type":"flow.wait"}',
      '{"at":"2026-03-02T11:00:00.000Z","node":"remind","type":"action.sendEmail","effect":{"kind":"email","template":"cart-reminder"}}',
      '{"at":"2026-03-03T11:00:00.000Z","node":"bought","type":"flow.waitForEvent","port":"timeout"}',
      '{"at":"2026-03-03T11:00:00.000Z","node":"vip","type":"flow.condition","port":"no"}',
      '{"at":"2026-03-03T11:00:00.000Z","node":"done","type":"flow.exit","exit":"completed"}',
    ]);
  });

  it('prints a deferred email when it leaves, at the end of the quiet hours', () => {
    const late = { ...abandoned, at: at('2026-03-02T20:30:00Z') };
    const lines = simulate(cart, { id: 'c1', attributes: { plan: 'free' } }, [late]);
    expect(lines[2]).toEqual({
      at: '2026-03-03T07:00:00.000Z',
      node: 'remind',
      type: 'action.sendEmail',
      effect: { kind: 'email', template: 'cart-reminder' },
    });
  });

  it('ends with a goal line when the order arrives', () => {
    const lines = simulate(cart, { id: 'c1', attributes: { plan: 'pro' } }, [
      abandoned,
      { event: 'order_completed', at: at('2026-03-02T15:00:00Z'), properties: {} },
    ]);
    expect(lines.at(-1)).toEqual({
      at: '2026-03-02T15:00:00.000Z',
      node: 'bought',
      type: 'flow.waitForEvent',
      exit: 'goal',
    });
  });

  it('stops the clock at `until`', () => {
    const lines = simulate(cart, { id: 'c1', attributes: { plan: 'free' } }, [abandoned], {
      until: at('2026-03-02T12:00:00Z'),
    });
    expect(lines.map((l) => ('node' in l ? l.node : l.event))).toEqual(['start', 'wait1h', 'remind']);
  });

  it('prints nothing without events', () => {
    expect(simulate(cart, { id: 'c1', attributes: {} }, [])).toEqual([]);
  });
});
