import { describe, expect, it } from 'vitest';
import { validateJourney } from '../compiler/validate.ts';
import type { JourneySettings } from '../schema/definition.ts';
import { at, iso, prepare, Runner, registry, trail } from '../test-util.ts';
import { advance } from './advance.ts';
import type { ContactJourneyState, Step } from './state.ts';

/** The example journey of JOURNEY-FORMAT.md, verbatim. */
const cartAbandonment = {
  schemaVersion: 1,
  id: 'cart-abandonment',
  name: 'Cart abandonment',
  settings: {
    timezone: 'Europe/Warsaw',
    reEntry: 'afterExit',
    exitOn: [{ event: 'order_completed' }],
    quietHours: { start: '21:00', end: '08:00' },
    frequencyCap: { max: 3, per: 'P7D' },
  },
  nodes: [
    { id: 'start', type: 'trigger.event', config: { event: 'cart_abandoned' } },
    { id: 'wait1h', type: 'flow.wait', config: { duration: 'PT1H' } },
    { id: 'remind', type: 'action.sendEmail', config: { template: 'cart-reminder' } },
    { id: 'bought', type: 'flow.waitForEvent', config: { event: 'order_completed', timeout: 'P1D' } },
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

const validated = validateJourney(cartAbandonment, registry);
if (!validated.ok) throw new Error(JSON.stringify(validated.problems));
const cart = validated.journey;

/** A step in the simulator's printed shape (JOURNEY-FORMAT.md). */
function line(step: Step) {
  const { runId: _, at: t, ...rest } = step;
  return { at: iso(t), ...rest };
}

describe('advance: the example of JOURNEY-FORMAT.md', () => {
  it('produces the documented steps for a free contact', () => {
    const runner = new Runner(cart, { plan: 'free' });
    runner.event('cart_abandoned', '2026-03-02T10:00:00Z');
    runner.runUntil('2026-06-01T00:00:00Z');
    expect(runner.steps.map(line)).toEqual([
      { at: '2026-03-02T10:00:00.000Z', node: 'start', type: 'trigger.event' },
      { at: '2026-03-02T11:00:00.000Z', node: 'wait1h', type: 'flow.wait' },
      {
        at: '2026-03-02T11:00:00.000Z',
        node: 'remind',
        type: 'action.sendEmail',
        effect: { kind: 'email', template: 'cart-reminder' },
      },
      { at: '2026-03-03T11:00:00.000Z', node: 'bought', type: 'flow.waitForEvent', port: 'timeout' },
      { at: '2026-03-03T11:00:00.000Z', node: 'vip', type: 'flow.condition', port: 'no' },
      { at: '2026-03-03T11:00:00.000Z', node: 'done', type: 'flow.exit', exit: 'completed' },
    ]);
    expect(runner.errors).toEqual([]);
    expect(runner.state?.runs).toEqual([]);
  });

  it('sends the coupon to a pro contact', () => {
    const runner = new Runner(cart, { plan: 'pro' });
    runner.event('cart_abandoned', '2026-03-02T10:00:00Z');
    runner.runUntil('2026-06-01T00:00:00Z');
    expect(trail(runner.steps)).toEqual([
      'start',
      'wait1h',
      'remind',
      'bought:timeout',
      'vip:yes',
      'coupon',
      'done!completed',
    ]);
    expect(runner.effects.map((e) => e.effect)).toEqual([
      { kind: 'email', template: 'cart-reminder' },
      { kind: 'email', template: 'cart-coupon' },
    ]);
  });

  it('ends the run with a goal when the order is completed', () => {
    const runner = new Runner(cart, { plan: 'free' });
    runner.event('cart_abandoned', '2026-03-02T10:00:00Z');
    runner.runUntil('2026-03-02T12:00:00Z');
    const r = runner.event('order_completed', '2026-03-02T15:00:00Z');
    expect(r.steps.map(line)).toEqual([
      { at: '2026-03-02T15:00:00.000Z', node: 'bought', type: 'flow.waitForEvent', exit: 'goal' },
    ]);
    expect(r.done).toBe(true);
    expect(r.wakeAt).toBeUndefined();
  });
});

/** A journey that holds the run for a day: start (event `go`) → wait P1D → exit. */
function dayLong(settings: JourneySettings) {
  return prepare(
    [
      { id: 'start', type: 'trigger.event', config: { event: 'go' } },
      { id: 'day', type: 'flow.wait', config: { duration: 'P1D' } },
      { id: 'end', type: 'flow.exit' },
    ],
    ['start -> day', 'day -> end'],
    settings,
  );
}

describe('advance: re-entry', () => {
  it('never (the default): a contact enters once', () => {
    const runner = new Runner(dayLong({}));
    runner.event('go', '2026-03-02T10:00:00Z');
    expect(runner.event('go', '2026-03-02T12:00:00Z').steps).toEqual([]);
    runner.runUntil('2026-03-05T00:00:00Z');
    expect(runner.event('go', '2026-03-06T10:00:00Z').steps).toEqual([]);
    expect(runner.state?.entries).toBe(1);
    expect(runner.errors).toEqual([]);
  });

  it('afterExit: not while a run is active, again once it has ended', () => {
    const runner = new Runner(dayLong({ reEntry: 'afterExit' }));
    runner.event('go', '2026-03-02T10:00:00Z');
    expect(runner.event('go', '2026-03-02T12:00:00Z').steps).toEqual([]);
    runner.runUntil('2026-03-05T00:00:00Z');
    const again = runner.event('go', '2026-03-06T10:00:00Z');
    expect(trail(again)).toEqual(['start']);
    expect(again.state.runs.map((r) => r.id)).toEqual(['c1:2']);
    expect(again.state.entries).toBe(2);
  });

  it('always: runs side by side, each on its own clock', () => {
    const runner = new Runner(dayLong({ reEntry: 'always' }));
    runner.event('go', '2026-03-02T10:00:00Z');
    const second = runner.event('go', '2026-03-02T12:00:00Z');
    expect(trail(second)).toEqual(['start']);
    expect(second.state.runs.map((r) => [r.id, iso(r.wakeAt)])).toEqual([
      ['c1:1', '2026-03-03T10:00:00.000Z'],
      ['c1:2', '2026-03-03T12:00:00.000Z'],
    ]);
    expect(iso(second.wakeAt)).toBe('2026-03-03T10:00:00.000Z');
    const first = runner.timer('2026-03-03T10:00:00Z');
    expect(first.steps.map((s) => s.runId)).toEqual(['c1:1', 'c1:1']);
    expect(first.state.runs.map((r) => r.id)).toEqual(['c1:2']);
    expect(iso(first.wakeAt)).toBe('2026-03-03T12:00:00.000Z');
    expect(first.done).toBe(false);
  });

  it('names new runs with the caller’s newRunId', () => {
    const r = advance(
      dayLong({}),
      undefined,
      { kind: 'event', event: { event: 'go', at: 0, properties: {} } },
      {
        now: 0,
        contact: { id: 'c1', attributes: {} },
        newRunId: (entry) => `run-${entry}`,
      },
    );
    expect(r.state.runs.map((x) => x.id)).toEqual(['run-1']);
  });
});

describe('advance: exitOn goals', () => {
  const goals = dayLong({
    reEntry: 'always',
    exitOn: [
      { event: 'order_completed', where: { attribute: 'total', op: 'gt', value: 0 } },
      { event: 'unsubscribed' },
    ],
  });

  it('ends every active run wherever it is', () => {
    const runner = new Runner(goals);
    runner.event('go', '2026-03-02T10:00:00Z');
    runner.event('go', '2026-03-02T11:00:00Z');
    const r = runner.event('unsubscribed', '2026-03-02T12:00:00Z');
    expect(r.steps.map((s) => [s.runId, s.node, s.exit])).toEqual([
      ['c1:1', 'day', 'goal'],
      ['c1:2', 'day', 'goal'],
    ]);
    expect(r.done).toBe(true);
    expect(r.state.lastExitAt).toBe(at('2026-03-02T12:00:00Z'));
  });

  it('honours `where` on a goal', () => {
    const runner = new Runner(goals);
    runner.event('go', '2026-03-02T10:00:00Z');
    expect(runner.event('order_completed', '2026-03-02T12:00:00Z', { total: 0 }).steps).toEqual([]);
    expect(trail(runner.event('order_completed', '2026-03-02T13:00:00Z', { total: 5 }))).toEqual(['day!goal']);
  });

  it('does nothing when there is no run to end', () => {
    const r = new Runner(goals).event('unsubscribed', '2026-03-02T12:00:00Z');
    expect(r.steps).toEqual([]);
    expect(r.errors).toEqual([]);
  });

  it('ends a run that waits for an effect result', () => {
    const j = prepare(
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 'hook', type: 'action.webhook', config: { url: 'https://x.example.com' } },
        { id: 'end', type: 'flow.exit' },
      ],
      ['start -> hook', 'hook -> end', 'hook:failed -> end'],
      { exitOn: [{ event: 'unsubscribed' }] },
    );
    const runner = new Runner(j);
    runner.manual('2026-03-02T10:00:00Z');
    expect(trail(runner.event('unsubscribed', '2026-03-02T10:00:01Z'))).toEqual(['hook!goal']);
    const late = runner.result('hook', '2026-03-02T10:00:02Z', { ok: true });
    expect(late.errors).toEqual([expect.objectContaining({ code: 'event_not_awaited', nodeId: 'hook' })]);
  });
});

describe('advance: event_not_awaited', () => {
  it.each([
    { event: 'approval.decided', properties: { node: 'review', decision: 'approved' }, nodeId: 'review' },
    { event: 'effect.result', properties: { node: 'hook', ok: true }, nodeId: 'hook' },
    { event: 'approval.decided', properties: { decision: 'approved' }, nodeId: '(no node)' },
  ])('reports $event for a node no run waits at', ({ event, properties, nodeId }) => {
    const r = new Runner(dayLong({})).event(event, '2026-03-02T10:00:00Z', properties);
    expect(r.errors).toEqual([{ code: 'event_not_awaited', message: expect.stringContaining(event), nodeId }]);
    expect(r.steps).toEqual([]);
  });

  it('is not reported for ordinary events nobody waits for', () => {
    expect(new Runner(dayLong({})).event('page_viewed', '2026-03-02T10:00:00Z').errors).toEqual([]);
  });
});

describe('advance: state', () => {
  function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === 'object') {
      for (const v of Object.values(value)) deepFreeze(v);
      Object.freeze(value);
    }
    return value;
  }

  it('never modifies the state, contact or history it is given', () => {
    const j = prepare(
      [
        { id: 'start', type: 'trigger.event', config: { event: 'go' } },
        { id: 'tag', type: 'action.updateContact', config: { set: { tagged: true }, unset: ['old'] } },
        { id: 'mail', type: 'action.sendEmail', config: { template: 'hello' } },
        { id: 'day', type: 'flow.wait', config: { duration: 'P1D' } },
        { id: 'again', type: 'action.sendEmail', config: { template: 'again' } },
        { id: 'end', type: 'flow.exit' },
      ],
      ['start -> tag', 'tag -> mail', 'mail -> day', 'day -> again', 'again -> end'],
      { frequencyCap: { max: 5, per: 'P7D' } },
    );
    const contact = deepFreeze({ id: 'c1', attributes: { old: 1 } });
    const event = deepFreeze({ event: 'go', at: at('2026-03-02T10:00:00Z'), properties: {} });
    const history = deepFreeze([event]);
    const first = advance(j, undefined, { kind: 'event', event }, { now: event.at, contact, history });
    const state: ContactJourneyState = deepFreeze(structuredClone(first.state));
    const snapshot = structuredClone(state);
    const second = advance(
      j,
      state,
      { kind: 'timer' },
      { now: at('2026-03-03T10:00:00Z'), contact: deepFreeze(first.contact), history },
    );
    expect(trail(second)).toEqual(['day', 'again', 'end!completed']);
    expect(state).toEqual(snapshot);
    expect(contact).toEqual({ id: 'c1', attributes: { old: 1 } });
  });

  it('is plain JSON: a stored and reloaded state carries on the same way', () => {
    const runner = new Runner(cart, { plan: 'pro' });
    runner.event('cart_abandoned', '2026-03-02T10:00:00Z');
    const state = runner.state;
    if (!state) throw new Error('no state');
    const ctx = { now: at('2026-03-02T11:00:00Z'), contact: runner.contact, history: runner.history };
    const direct = advance(cart, state, { kind: 'timer' }, ctx);
    const reloaded = advance(cart, JSON.parse(JSON.stringify(state)) as ContactJourneyState, { kind: 'timer' }, ctx);
    expect(reloaded).toEqual(direct);
  });

  it('does nothing on a timer before anything is due', () => {
    const runner = new Runner(dayLong({}));
    runner.event('go', '2026-03-02T10:00:00Z');
    const before = runner.state;
    const r = runner.timer('2026-03-03T09:59:59Z');
    expect(r.steps).toEqual([]);
    expect(r.effects).toEqual([]);
    expect(r.state).toEqual(before);
    expect(iso(r.wakeAt)).toBe('2026-03-03T10:00:00.000Z');
  });

  it('drops a run whose node no longer exists, with node_not_found', () => {
    const state: ContactJourneyState = {
      runs: [{ id: 'c1:1', node: 'removed', startedAt: 0, enteredAt: 0, seq: 3, wakeAt: 1000, outputs: {} }],
      entries: 1,
      emailsSent: [],
    };
    const r = advance(dayLong({}), state, { kind: 'timer' }, { now: 2000, contact: { id: 'c1', attributes: {} } });
    expect(r.errors).toEqual([expect.objectContaining({ code: 'node_not_found', runId: 'c1:1', nodeId: 'removed' })]);
    expect(r.state.runs).toEqual([]);
  });

  it('gives every effect a distinct idempotency key, also around loops', () => {
    const j = prepare(
      [
        { id: 'start', type: 'trigger.event', config: { event: 'go' } },
        { id: 'paid', type: 'flow.waitForEvent', config: { event: 'paid', timeout: 'P1D' } },
        { id: 'nudge', type: 'action.sendEmail', config: { template: 'nudge' } },
        { id: 'end', type: 'flow.exit' },
      ],
      ['start -> paid', 'paid:timeout -> nudge', 'nudge -> paid', 'paid:event -> end'],
    );
    const runner = new Runner(j);
    runner.event('go', '2026-03-02T10:00:00Z');
    runner.runUntil('2026-03-06T00:00:00Z');
    expect(runner.effects).toHaveLength(3);
    expect(new Set(runner.effects.map((e) => e.key)).size).toBe(3);
    expect(trail(runner.event('paid', '2026-03-06T01:00:00Z'))).toEqual(['paid:event', 'end!completed']);
  });
});
