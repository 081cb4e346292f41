import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validateJourney } from '../../compiler/validate.ts';
import { defaultRegistry } from '../../default-registry.ts';
import type { JourneySettings } from '../../schema/definition.ts';
import { defineNode, nextPort } from '../../sdk/define-node.ts';
import type { VariantStats } from '../../sdk/types.ts';
import { at, checkNodeConfig, definition, iso, prepare, Runner, trail } from '../../test-util.ts';

type Invalid = {
  name: string;
  config: unknown;
  path: (string | number)[];
  code?: 'invalid_config' | 'invalid_weights';
};

const twoBranches = [
  { port: 'a', weight: 50 },
  { port: 'b', weight: 50 },
];

const tables: { type: string; valid: unknown[]; invalid: Invalid[] }[] = [
  {
    type: 'flow.wait',
    valid: [
      { duration: 'PT1H' },
      { duration: 'P3D' },
      { duration: 'P1W' },
      { duration: 'P1DT12H' },
      { duration: 'PT0.5S' },
    ],
    invalid: [
      { name: 'missing duration', config: {}, path: ['duration'] },
      { name: 'zero duration', config: { duration: 'PT0S' }, path: ['duration'] },
      { name: 'negative duration', config: { duration: '-PT1H' }, path: ['duration'] },
      { name: 'prose', config: { duration: '1 hour' }, path: ['duration'] },
      { name: 'bare P', config: { duration: 'P' }, path: ['duration'] },
      { name: 'number', config: { duration: 3600 }, path: ['duration'] },
      { name: 'unknown key', config: { duration: 'PT1H', until: '09:00' }, path: [] },
    ],
  },
  {
    type: 'flow.waitUntil',
    valid: [{ time: '09:00' }, { time: '23:59', days: ['mon', 'fri'] }, { time: '00:00', days: [] }],
    invalid: [
      { name: 'missing time', config: {}, path: ['time'] },
      { name: 'hour 24', config: { time: '24:00' }, path: ['time'] },
      { name: 'am/pm', config: { time: '9am' }, path: ['time'] },
      { name: 'long day name', config: { time: '09:00', days: ['monday'] }, path: ['days', 0] },
      { name: 'days not a list', config: { time: '09:00', days: 'mon' }, path: ['days'] },
    ],
  },
  {
    type: 'flow.waitForEvent',
    valid: [
      { event: 'order_completed', timeout: 'P1D' },
      { event: 'order_completed', timeout: 'PT30M', where: { attribute: 'total', op: 'gt', value: 0 } },
    ],
    invalid: [
      { name: 'missing timeout', config: { event: 'x' }, path: ['timeout'] },
      { name: 'zero timeout', config: { event: 'x', timeout: 'PT0S' }, path: ['timeout'] },
      { name: 'missing event', config: { timeout: 'P1D' }, path: ['event'] },
      { name: 'bad where', config: { event: 'x', timeout: 'P1D', where: { attribute: 'a' } }, path: ['where', 'op'] },
    ],
  },
  {
    type: 'flow.condition',
    valid: [
      { if: { attribute: 'plan', op: 'eq', value: 'pro' } },
      { if: { attribute: 'email', op: 'exists' } },
      {
        if: {
          event: 'purchase',
          count: { op: 'gte', value: 2 },
          within: 'P30D',
          where: { attribute: 'total', op: 'gt', value: 10 },
        },
      },
      { if: { all: [{ any: [{ attribute: 'a', op: 'in', value: [1, 2] }] }, { not: { event: 'churned' } }] } },
    ],
    invalid: [
      { name: 'missing if', config: {}, path: ['if'] },
      { name: 'unknown operator', config: { if: { attribute: 'plan', op: 'like', value: 'p%' } }, path: ['if', 'op'] },
      {
        name: 'negative count',
        config: { if: { event: 'x', count: { op: 'gte', value: -1 } } },
        path: ['if', 'count', 'value'],
      },
      { name: 'window not a duration', config: { if: { event: 'x', within: 'a month' } }, path: ['if', 'within'] },
    ],
  },
  {
    type: 'flow.split',
    valid: [
      { branches: twoBranches },
      {
        branches: [
          { port: 'control', weight: 0.5, label: 'Control' },
          { port: 'test-1', weight: 0.25 },
          { port: 'test_2', weight: 0.25 },
        ],
      },
    ],
    invalid: [
      { name: 'one branch', config: { branches: [{ port: 'a', weight: 1 }] }, path: ['branches'] },
      { name: 'no branches', config: {}, path: ['branches'] },
      {
        name: 'zero weight',
        config: {
          branches: [
            { port: 'a', weight: 1 },
            { port: 'b', weight: 0 },
          ],
        },
        path: ['branches', 1, 'weight'],
        code: 'invalid_weights',
      },
      {
        name: 'negative weight',
        config: {
          branches: [
            { port: 'a', weight: -1 },
            { port: 'b', weight: 2 },
          ],
        },
        path: ['branches', 0, 'weight'],
        code: 'invalid_weights',
      },
      {
        name: 'weight not a number',
        config: {
          branches: [
            { port: 'a', weight: '50' },
            { port: 'b', weight: 50 },
          ],
        },
        path: ['branches', 0, 'weight'],
      },
      {
        name: 'port with a space',
        config: {
          branches: [
            { port: 'a b', weight: 1 },
            { port: 'b', weight: 1 },
          ],
        },
        path: ['branches', 0, 'port'],
      },
      {
        name: 'the same port twice',
        config: {
          branches: [
            { port: 'a', weight: 1 },
            { port: 'a', weight: 1 },
          ],
        },
        path: ['branches', 1, 'port'],
      },
      {
        name: 'more than 20 branches',
        config: { branches: Array.from({ length: 21 }, (_, i) => ({ port: `p${i}`, weight: 1 })) },
        path: ['branches'],
      },
    ],
  },
  {
    type: 'flow.abTest',
    valid: [
      { variants: twoBranches },
      { variants: twoBranches, mode: 'bandit', metric: 'click' },
      { variants: twoBranches, mode: 'bandit', metric: 'conversion', conversionEvent: 'order_completed' },
    ],
    invalid: [
      {
        name: 'conversion without an event',
        config: { variants: twoBranches, metric: 'conversion' },
        path: ['conversionEvent'],
      },
      { name: 'unknown mode', config: { variants: twoBranches, mode: 'greedy' }, path: ['mode'] },
      { name: 'unknown metric', config: { variants: twoBranches, metric: 'revenue' }, path: ['metric'] },
      {
        name: 'zero weight',
        config: {
          variants: [
            { port: 'a', weight: 0 },
            { port: 'b', weight: 1 },
          ],
        },
        path: ['variants', 0, 'weight'],
        code: 'invalid_weights',
      },
      {
        name: 'more than 10 variants',
        config: { variants: Array.from({ length: 11 }, (_, i) => ({ port: `v${i}`, weight: 1 })) },
        path: ['variants'],
      },
    ],
  },
  {
    type: 'flow.approval',
    valid: [{}, { timeout: 'P2D' }],
    invalid: [
      { name: 'zero timeout', config: { timeout: 'PT0S' }, path: ['timeout'] },
      { name: 'prose timeout', config: { timeout: 'tomorrow' }, path: ['timeout'] },
      { name: 'unknown key', config: { reviewers: ['ana'] }, path: [] },
    ],
  },
  {
    type: 'flow.exit',
    valid: [{}],
    invalid: [{ name: 'any key', config: { reason: 'done' }, path: [] }],
  },
];

describe.each(tables)('$type config', ({ type, valid, invalid }) => {
  it.each(valid)('accepts %j', (config) => {
    expect(checkNodeConfig(type, config).problems).toEqual([]);
  });

  it.each(invalid)('rejects $name', ({ config, path, code = 'invalid_config' }) => {
    const result = checkNodeConfig(type, config);
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual(expect.objectContaining({ code, nodeId: 'n', path }));
  });
});

/** start (event `go`) → node `n` → exit `done`. */
function around(type: string, config: Record<string, unknown>, settings: JourneySettings = {}) {
  return prepare(
    [
      { id: 'start', type: 'trigger.event', config: { event: 'go' } },
      { id: 'n', type, config },
      { id: 'done', type: 'flow.exit' },
    ],
    ['start -> n', 'n -> done'],
    settings,
  );
}

describe('flow.wait', () => {
  it('holds the run for the duration, then moves on', () => {
    const runner = new Runner(around('flow.wait', { duration: 'PT1H' }));
    expect(trail(runner.event('go', '2026-03-02T10:00:00Z'))).toEqual(['start']);
    expect(iso(runner.wakeAt)).toBe('2026-03-02T11:00:00.000Z');
    expect(runner.runs[0]).toMatchObject({ node: 'n', wakeAt: at('2026-03-02T11:00:00Z') });
    expect(runner.timer('2026-03-02T10:59:59Z').steps).toEqual([]);
    const r = runner.timer('2026-03-02T11:00:00Z');
    expect(trail(r)).toEqual(['n', 'done!completed']);
    expect(r.steps[0]?.at).toBe(at('2026-03-02T11:00:00Z'));
  });

  it.each([
    {
      name: 'P1D across the spring change in Warsaw keeps the wall clock (23 hours)',
      duration: 'P1D',
      zone: 'Europe/Warsaw',
      from: '2026-03-28T08:00:00Z',
      expected: '2026-03-29T07:00:00.000Z',
    },
    {
      name: 'PT24H across the spring change in Warsaw is exact',
      duration: 'PT24H',
      zone: 'Europe/Warsaw',
      from: '2026-03-28T08:00:00Z',
      expected: '2026-03-29T08:00:00.000Z',
    },
    {
      name: 'P1D across the autumn change in Warsaw keeps the wall clock (25 hours)',
      duration: 'P1D',
      zone: 'Europe/Warsaw',
      from: '2026-10-24T07:00:00Z',
      expected: '2026-10-25T08:00:00.000Z',
    },
    {
      name: 'P1DT1H across the autumn change in Warsaw: a calendar day, then an exact hour',
      duration: 'P1DT1H',
      zone: 'Europe/Warsaw',
      from: '2026-10-24T07:00:00Z',
      expected: '2026-10-25T09:00:00.000Z',
    },
    {
      name: 'P1D across the spring change in New York',
      duration: 'P1D',
      zone: 'America/New_York',
      from: '2026-03-07T14:00:00Z',
      expected: '2026-03-08T13:00:00.000Z',
    },
    {
      name: 'P1W across the autumn change in New York',
      duration: 'P1W',
      zone: 'America/New_York',
      from: '2026-10-29T13:00:00Z',
      expected: '2026-11-05T14:00:00.000Z',
    },
  ])('$name', ({ duration, zone, from, expected }) => {
    const runner = new Runner(around('flow.wait', { duration }, { timezone: zone }));
    runner.event('go', from);
    expect(iso(runner.wakeAt)).toBe(expected);
    expect(trail(runner.timer(expected))).toEqual(['n', 'done!completed']);
  });

  it("counts calendar days in the contact's own timezone attribute over the journey's", () => {
    const runner = new Runner(around('flow.wait', { duration: 'P1D' }, { timezone: 'Europe/Warsaw' }), {
      timezone: 'America/New_York',
    });
    runner.event('go', '2026-03-07T14:00:00Z');
    expect(iso(runner.wakeAt)).toBe('2026-03-08T13:00:00.000Z');
  });

  it("falls back to the journey's zone when the contact's timezone attribute is not a zone", () => {
    const runner = new Runner(around('flow.wait', { duration: 'P1D' }, { timezone: 'Europe/Warsaw' }), {
      timezone: 'Mars/Olympus',
    });
    runner.event('go', '2026-03-28T08:00:00Z');
    expect(iso(runner.wakeAt)).toBe('2026-03-29T07:00:00.000Z');
  });
});

describe('flow.waitUntil', () => {
  it.each([
    {
      name: 'later the same day',
      config: { time: '09:00' },
      zone: 'Europe/Warsaw',
      from: '2026-03-02T06:00:00Z',
      expected: '2026-03-02T08:00:00.000Z',
    },
    {
      name: 'the next day once the time has passed',
      config: { time: '09:00' },
      zone: 'Europe/Warsaw',
      from: '2026-03-02T10:00:00Z',
      expected: '2026-03-03T08:00:00.000Z',
    },
    {
      name: 'the morning after the spring change in Warsaw (CEST)',
      config: { time: '09:00' },
      zone: 'Europe/Warsaw',
      from: '2026-03-28T20:00:00Z',
      expected: '2026-03-29T07:00:00.000Z',
    },
    {
      name: 'the morning after the autumn change in Warsaw (CET)',
      config: { time: '09:00' },
      zone: 'Europe/Warsaw',
      from: '2026-10-24T20:00:00Z',
      expected: '2026-10-25T08:00:00.000Z',
    },
    {
      name: 'an hour skipped by the spring change in Warsaw: the end of the gap',
      config: { time: '02:30' },
      zone: 'Europe/Warsaw',
      from: '2026-03-28T20:00:00Z',
      expected: '2026-03-29T01:00:00.000Z',
    },
    {
      name: 'an hour that happens twice in Warsaw: the first one',
      config: { time: '02:30' },
      zone: 'Europe/Warsaw',
      from: '2026-10-24T20:00:00Z',
      expected: '2026-10-25T00:30:00.000Z',
    },
    {
      name: 'the morning after the spring change in New York (EDT)',
      config: { time: '09:00' },
      zone: 'America/New_York',
      from: '2026-03-07T18:00:00Z',
      expected: '2026-03-08T13:00:00.000Z',
    },
    {
      name: 'the morning after the autumn change in New York (EST)',
      config: { time: '09:00' },
      zone: 'America/New_York',
      from: '2026-10-31T18:00:00Z',
      expected: '2026-11-01T14:00:00.000Z',
    },
    {
      name: 'the next allowed weekday (Monday → Saturday)',
      config: { time: '09:00', days: ['sat'] },
      zone: 'Europe/Warsaw',
      from: '2026-03-02T06:00:00Z',
      expected: '2026-03-07T08:00:00.000Z',
    },
    {
      name: 'a week later when today is the only day and the time has passed',
      config: { time: '09:00', days: ['mon'] },
      zone: 'Europe/Warsaw',
      from: '2026-03-02T10:00:00Z',
      expected: '2026-03-09T08:00:00.000Z',
    },
    {
      name: 'any day when the list of days is empty',
      config: { time: '09:00', days: [] },
      zone: 'Europe/Warsaw',
      from: '2026-03-02T10:00:00Z',
      expected: '2026-03-03T08:00:00.000Z',
    },
  ])('waits until $name', ({ config, zone, from, expected }) => {
    const runner = new Runner(around('flow.waitUntil', config, { timezone: zone }));
    runner.event('go', from);
    expect(iso(runner.wakeAt)).toBe(expected);
    const r = runner.timer(expected);
    expect(trail(r)).toEqual(['n', 'done!completed']);
    expect(r.steps[0]?.at).toBe(at(expected));
  });

  it('uses UTC when neither the contact nor the journey has a time zone', () => {
    const runner = new Runner(around('flow.waitUntil', { time: '09:00' }));
    runner.event('go', '2026-03-02T06:00:00Z');
    expect(iso(runner.wakeAt)).toBe('2026-03-02T09:00:00.000Z');
  });

  it("uses the contact's timezone attribute over the journey's", () => {
    const runner = new Runner(around('flow.waitUntil', { time: '09:00' }, { timezone: 'Europe/Warsaw' }), {
      timezone: 'America/New_York',
    });
    runner.event('go', '2026-03-02T06:00:00Z');
    expect(iso(runner.wakeAt)).toBe('2026-03-02T14:00:00.000Z');
  });

  it('a daily loop through waitUntil sends one email a day and never runs away', () => {
    // waitUntil is the loop's wait; when its timer fires at 10:00 and the run comes back round at
    // 10:00, "the next matching moment" is tomorrow's 10:00, not now.
    const journey = prepare(
      [
        { id: 'start', type: 'trigger.event', config: { event: 'go' } },
        { id: 'daily', type: 'flow.waitUntil', config: { time: '10:00' } },
        { id: 'digest', type: 'action.sendEmail', config: { template: 'digest' } },
      ],
      ['start -> daily', 'daily -> digest', 'digest -> daily'],
      { timezone: 'UTC' },
    );
    const runner = new Runner(journey);
    runner.event('go', '2026-03-02T09:00:00Z');
    runner.runUntil('2026-03-04T12:00:00Z');
    expect(runner.steps.filter((s) => s.error !== undefined)).toEqual([]);
    expect(runner.effects).toHaveLength(3);
    expect(runner.steps.filter((s) => s.node === 'digest').map((s) => iso(s.at))).toEqual([
      '2026-03-02T10:00:00.000Z',
      '2026-03-03T10:00:00.000Z',
      '2026-03-04T10:00:00.000Z',
    ]);
    expect(runner.runs).toHaveLength(1);
    expect(iso(runner.wakeAt)).toBe('2026-03-05T10:00:00.000Z');
  });
});

describe('flow.waitForEvent', () => {
  const journey = prepare(
    [
      { id: 'start', type: 'trigger.event', config: { event: 'go' } },
      {
        id: 'paid',
        type: 'flow.waitForEvent',
        config: { event: 'order_completed', timeout: 'P1D', where: { attribute: 'total', op: 'gt', value: 0 } },
      },
      { id: 'thanks', type: 'flow.exit' },
      { id: 'late', type: 'flow.exit' },
    ],
    ['start -> paid', 'paid:event -> thanks', 'paid:timeout -> late'],
    { timezone: 'Europe/Warsaw' },
  );

  it('waits for the event with a timeout timer', () => {
    const runner = new Runner(journey);
    runner.event('go', '2026-03-02T10:00:00Z');
    expect(runner.runs[0]).toMatchObject({
      node: 'paid',
      wakeAt: at('2026-03-03T10:00:00Z'),
      awaiting: { name: 'order_completed', where: { attribute: 'total', op: 'gt', value: 0 } },
    });
  });

  it('leaves through `event` when the event arrives in time', () => {
    const runner = new Runner(journey);
    runner.event('go', '2026-03-02T10:00:00Z');
    const r = runner.event('order_completed', '2026-03-02T15:00:00Z', { total: 12 });
    expect(trail(r)).toEqual(['paid:event', 'thanks!completed']);
    expect(r.steps[0]?.at).toBe(at('2026-03-02T15:00:00Z'));
    expect(r.done).toBe(true);
  });

  it('leaves through `timeout` when the time runs out', () => {
    const runner = new Runner(journey);
    runner.event('go', '2026-03-02T10:00:00Z');
    const [r] = runner.runUntil('2026-03-10T00:00:00Z');
    expect(trail(r ?? [])).toEqual(['paid:timeout', 'late!completed']);
    expect(r?.steps[0]?.at).toBe(at('2026-03-03T10:00:00Z'));
  });

  it('is not woken by an event that fails `where`, nor by other events', () => {
    const runner = new Runner(journey);
    runner.event('go', '2026-03-02T10:00:00Z');
    expect(runner.event('order_completed', '2026-03-02T11:00:00Z', { total: 0 }).steps).toEqual([]);
    expect(runner.event('order_started', '2026-03-02T12:00:00Z', { total: 5 }).steps).toEqual([]);
    expect(runner.event('order_completed', '2026-03-02T13:00:00Z').steps).toEqual([]);
    expect(runner.errors).toEqual([]);
    expect(runner.runs[0]?.node).toBe('paid');
    expect(trail(runner.runUntil('2026-03-10T00:00:00Z')[0] ?? [])).toEqual(['paid:timeout', 'late!completed']);
  });

  it('ignores the event once the run has timed out', () => {
    const runner = new Runner(journey);
    runner.event('go', '2026-03-02T10:00:00Z');
    runner.runUntil('2026-03-10T00:00:00Z');
    const r = runner.event('order_completed', '2026-03-04T00:00:00Z', { total: 3 });
    expect(r.steps).toEqual([]);
    expect(r.errors).toEqual([]);
  });
});

describe('flow.condition', () => {
  const journey = (condition: unknown) =>
    prepare(
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 'check', type: 'flow.condition', config: { if: condition } },
        { id: 'yes', type: 'flow.exit' },
        { id: 'no', type: 'flow.exit' },
      ],
      ['start -> check', 'check:yes -> yes', 'check:no -> no'],
    );

  const isPro = journey({ attribute: 'plan', op: 'eq', value: 'pro' });

  it.each([
    { attributes: { plan: 'pro' }, port: 'yes' },
    { attributes: { plan: 'free' }, port: 'no' },
    { attributes: {}, port: 'no' },
  ])('attribute rule: $attributes → $port', ({ attributes, port }) => {
    expect(trail(new Runner(isPro, attributes).manual('2026-03-02T10:00:00Z'))).toEqual([
      'start',
      `check:${port}`,
      `${port}!completed`,
    ]);
  });

  const twoPurchasesIn30Days = journey({ event: 'purchase', count: { op: 'gte', value: 2 }, within: 'P30D' });

  it.each([
    {
      name: 'one old and one recent purchase',
      purchases: ['2026-01-20T10:00:00Z', '2026-02-20T10:00:00Z'],
      port: 'no',
    },
    {
      name: 'two purchases inside the window',
      purchases: ['2026-01-20T10:00:00Z', '2026-02-20T10:00:00Z', '2026-02-28T10:00:00Z'],
      port: 'yes',
    },
    {
      name: 'a purchase exactly 30 days ago and one today',
      purchases: ['2026-01-31T10:00:00Z', '2026-03-02T09:00:00Z'],
      port: 'yes',
    },
    { name: 'no purchases', purchases: [], port: 'no' },
  ])('event count within a window: $name → $port', ({ purchases, port }) => {
    const runner = new Runner(twoPurchasesIn30Days);
    for (const p of purchases) runner.event('purchase', p);
    expect(trail(runner.manual('2026-03-02T10:00:00Z'))).toEqual(['start', `check:${port}`, `${port}!completed`]);
  });

  it('event count ignores events later than now', () => {
    const runner = new Runner(journey({ event: 'purchase' }));
    runner.history.push({ event: 'purchase', at: at('2026-03-05T00:00:00Z'), properties: {} });
    expect(trail(runner.manual('2026-03-02T10:00:00Z'))).toEqual(['start', 'check:no', 'no!completed']);
  });

  it('event rule with `where` counts only matching events', () => {
    const bigSpender = journey({ event: 'purchase', where: { attribute: 'total', op: 'gte', value: 100 } });
    const small = new Runner(bigSpender);
    small.event('purchase', '2026-03-01T10:00:00Z', { total: 20 });
    expect(trail(small.manual('2026-03-02T10:00:00Z'))).toContain('check:no');
    const big = new Runner(bigSpender);
    big.event('purchase', '2026-03-01T10:00:00Z', { total: 150 });
    expect(trail(big.manual('2026-03-02T10:00:00Z'))).toContain('check:yes');
  });

  it('combines attribute and event rules', () => {
    const j = journey({
      all: [{ attribute: 'plan', op: 'eq', value: 'pro' }, { not: { event: 'churned', within: 'P7D' } }],
    });
    const loyal = new Runner(j, { plan: 'pro' });
    loyal.event('churned', '2026-02-01T10:00:00Z');
    expect(trail(loyal.manual('2026-03-02T10:00:00Z'))).toContain('check:yes');
    const leaving = new Runner(j, { plan: 'pro' });
    leaving.event('churned', '2026-03-01T10:00:00Z');
    expect(trail(leaving.manual('2026-03-02T10:00:00Z'))).toContain('check:no');
  });
});

/** manual trigger → `node` of `type` with a port per branch → one exit per port. */
function branching(type: 'flow.split' | 'flow.abTest', config: Record<string, unknown>, ports: string[]) {
  return prepare(
    [
      { id: 'start', type: 'trigger.manual' },
      { id: 'pick', type, config },
      ...ports.map((p) => ({ id: `to-${p}`, type: 'flow.exit' })),
    ],
    ['start -> pick', ...ports.map((p) => `pick:${p} -> to-${p}`)],
  );
}

function portFor(
  journey: ReturnType<typeof prepare>,
  contactId: string,
  options: { seed?: number; stats?: (id: string) => VariantStats } = {},
) {
  const r = new Runner(journey, { id: contactId, attributes: {} }, options).manual('2026-03-02T10:00:00Z');
  const step = r.steps.find((s) => s.node === 'pick');
  if (!step?.port) throw new Error(`no port for ${contactId}: ${JSON.stringify(r.steps)}`);
  return step.port;
}

const contacts = Array.from({ length: 300 }, (_, i) => `contact-${i}`);

describe('flow.split', () => {
  const split = branching('flow.split', { branches: twoBranches }, ['a', 'b']);

  it('sends the same contact down the same branch every time', () => {
    for (const id of contacts.slice(0, 50)) {
      const first = portFor(split, id);
      expect(portFor(split, id)).toBe(first);
      expect(portFor(split, id, { seed: 0 })).toBe(first);
    }
  });

  it('gives a re-entering contact its branch again', () => {
    const j = prepare(
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 'pick', type: 'flow.split', config: { branches: twoBranches } },
        { id: 'to-a', type: 'flow.exit' },
        { id: 'to-b', type: 'flow.exit' },
      ],
      ['start -> pick', 'pick:a -> to-a', 'pick:b -> to-b'],
      { reEntry: 'always' },
    );
    const runner = new Runner(j, { id: 'ana', attributes: {} });
    const ports = [1, 2, 3].map((d) => runner.manual(`2026-03-0${d}T10:00:00Z`).steps[1]?.port);
    expect(new Set(ports).size).toBe(1);
  });

  it('spreads contacts over every branch', () => {
    const ports = contacts.map((id) => portFor(split, id));
    expect(new Set(ports)).toEqual(new Set(['a', 'b']));
  });

  it('is reproducible for a seed, and a different seed reshuffles contacts', () => {
    const seeded = contacts.map((id) => portFor(split, id, { seed: 42 }));
    expect(contacts.map((id) => portFor(split, id, { seed: 42 }))).toEqual(seeded);
    expect(contacts.map((id) => portFor(split, id, { seed: 7 }))).not.toEqual(seeded);
  });

  it('draws independently at two split nodes for the same contact', () => {
    const j = prepare(
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 's1', type: 'flow.split', config: { branches: twoBranches } },
        { id: 's2', type: 'flow.split', config: { branches: twoBranches } },
        { id: 'end', type: 'flow.exit' },
      ],
      ['start -> s1', 's1:a -> s2', 's1:b -> s2', 's2:a -> end', 's2:b -> end'],
    );
    const pairs = contacts.map((id) =>
      trail(new Runner(j, { id, attributes: {} }).manual('2026-03-02T10:00:00Z'))
        .slice(1, 3)
        .join(' '),
    );
    expect(new Set(pairs)).toEqual(new Set(['s1:a s2:a', 's1:a s2:b', 's1:b s2:a', 's1:b s2:b']));
  });

  it('never uses a branch far from its weight (1:9 over 300 contacts)', () => {
    const skewed = branching(
      'flow.split',
      {
        branches: [
          { port: 'a', weight: 1 },
          { port: 'b', weight: 9 },
        ],
      },
      ['a', 'b'],
    );
    const a = contacts.map((id) => portFor(skewed, id)).filter((p) => p === 'a').length;
    expect(a).toBeGreaterThan(10);
    expect(a).toBeLessThan(60);
  });
});

describe('flow.abTest', () => {
  it('fixed mode: deterministic per contact and uses every variant', () => {
    const ab = branching('flow.abTest', { variants: twoBranches, mode: 'fixed' }, ['a', 'b']);
    const ports = contacts.map((id) => portFor(ab, id));
    expect(contacts.map((id) => portFor(ab, id))).toEqual(ports);
    expect(new Set(ports)).toEqual(new Set(['a', 'b']));
  });

  const bandit = branching('flow.abTest', { variants: twoBranches, mode: 'bandit', metric: 'click' }, ['a', 'b']);

  it('bandit mode: strongly skewed results send most contacts to the winner', () => {
    const asked: string[] = [];
    const stats = (node: string): VariantStats => {
      asked.push(node);
      return { a: { trials: 1000, successes: 40 }, b: { trials: 1000, successes: 300 } };
    };
    const ports = contacts.map((id) => portFor(bandit, id, { stats }));
    expect(ports.filter((p) => p === 'b').length).toBeGreaterThanOrEqual(0.95 * contacts.length);
    expect(new Set(asked)).toEqual(new Set(['pick']));
  });

  it('bandit mode: reproducible for the same seed and stats', () => {
    const stats = (): VariantStats => ({ a: { trials: 20, successes: 5 }, b: { trials: 20, successes: 6 } });
    const first = contacts.map((id) => portFor(bandit, id, { seed: 3, stats }));
    expect(contacts.map((id) => portFor(bandit, id, { seed: 3, stats }))).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['a', 'b']));
  });

  it('bandit mode: explores every variant before there are any results', () => {
    const ports = contacts.map((id) => portFor(bandit, id));
    const a = ports.filter((p) => p === 'a').length;
    expect(a).toBeGreaterThan(90);
    expect(a).toBeLessThan(210);
  });
});

describe('flow.approval', () => {
  const journey = (config: Record<string, unknown>) =>
    prepare(
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 'review', type: 'flow.approval', config },
        { id: 'send', type: 'flow.exit' },
        { id: 'drop', type: 'flow.exit' },
        { id: 'late', type: 'flow.exit' },
      ],
      ['start -> review', 'review:approved -> send', 'review:rejected -> drop', 'review:timeout -> late'],
    );
  const withTimeout = journey({ timeout: 'P2D' });

  it('holds the run until a decision for this node', () => {
    const runner = new Runner(withTimeout);
    runner.manual('2026-03-02T10:00:00Z');
    expect(runner.runs[0]).toMatchObject({
      node: 'review',
      wakeAt: at('2026-03-04T10:00:00Z'),
      awaiting: { name: 'approval.decided', forThisNode: true },
    });
  });

  it.each([
    { decision: 'approved', trail: ['review:approved', 'send!completed'] },
    { decision: 'rejected', trail: ['review:rejected', 'drop!completed'] },
  ])('leaves through $decision', ({ decision, trail: expected }) => {
    const runner = new Runner(withTimeout);
    runner.manual('2026-03-02T10:00:00Z');
    const r = runner.decide('review', decision, '2026-03-03T09:00:00Z');
    expect(trail(r)).toEqual(expected);
    expect(r.errors).toEqual([]);
  });

  it('leaves through timeout when nobody decides', () => {
    const runner = new Runner(withTimeout);
    runner.manual('2026-03-02T10:00:00Z');
    const [r] = runner.runUntil('2026-04-01T00:00:00Z');
    expect(trail(r ?? [])).toEqual(['review:timeout', 'late!completed']);
    expect(r?.steps[0]?.at).toBe(at('2026-03-04T10:00:00Z'));
  });

  it('waits for ever without a timeout', () => {
    const runner = new Runner(journey({}));
    runner.manual('2026-03-02T10:00:00Z');
    expect(runner.wakeAt).toBeUndefined();
    expect(runner.runs[0]?.awaiting).toEqual({ name: 'approval.decided', forThisNode: true });
    expect(trail(runner.decide('review', 'approved', '2026-06-01T00:00:00Z'))).toEqual([
      'review:approved',
      'send!completed',
    ]);
  });

  it.each([{ decision: 'maybe' }, { decision: undefined }, { decision: 1 }])(
    'a bad decision ($decision) is a coded error and leaves the run waiting',
    ({ decision }) => {
      const runner = new Runner(withTimeout);
      runner.manual('2026-03-02T10:00:00Z');
      const before = runner.runs[0];
      const r = runner.decide('review', decision, '2026-03-02T11:00:00Z');
      expect(trail(r)).toEqual(['review#invalid_input']);
      expect(r.steps[0]?.error?.message).toMatch(/decision/);
      expect(r.state.runs).toEqual([before]);
      expect(r.wakeAt).toBe(at('2026-03-04T10:00:00Z'));
      expect(trail(runner.decide('review', 'rejected', '2026-03-02T12:00:00Z'))).toEqual([
        'review:rejected',
        'drop!completed',
      ]);
    },
  );

  it('a decision for another node is event_not_awaited and changes nothing', () => {
    const runner = new Runner(withTimeout);
    runner.manual('2026-03-02T10:00:00Z');
    const before = runner.runs[0];
    const r = runner.decide('elsewhere', 'approved', '2026-03-02T11:00:00Z');
    expect(r.steps).toEqual([]);
    expect(r.errors).toEqual([expect.objectContaining({ code: 'event_not_awaited', nodeId: 'elsewhere' })]);
    expect(r.state.runs).toEqual([before]);
  });

  it('a decision after the run has left the node is event_not_awaited', () => {
    const runner = new Runner(withTimeout);
    runner.manual('2026-03-02T10:00:00Z');
    runner.decide('review', 'approved', '2026-03-02T11:00:00Z');
    const r = runner.decide('review', 'rejected', '2026-03-02T12:00:00Z');
    expect(r.steps).toEqual([]);
    expect(r.errors).toEqual([expect.objectContaining({ code: 'event_not_awaited', nodeId: 'review' })]);
  });
});

describe('flow.exit', () => {
  it('ends the run', () => {
    const j = prepare(
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 'end', type: 'flow.exit' },
      ],
      ['start -> end'],
    );
    const r = new Runner(j).manual('2026-03-02T10:00:00Z');
    expect(trail(r)).toEqual(['start', 'end!completed']);
    expect(r.state.runs).toEqual([]);
    expect(r.state.lastExitAt).toBe(at('2026-03-02T10:00:00Z'));
    expect(r.done).toBe(true);
    expect(r.wakeAt).toBeUndefined();
  });
});

describe('runaway loop cap', () => {
  it('stops a run that loops without waiting and reports runaway_loop', () => {
    // A package node that claims to wait but never does: the validator trusts `waits`, so only the
    // interpreter's cap stands between this loop and a hung worker.
    const spin = defineNode({
      type: 'acme.spin',
      version: 1,
      category: 'flow',
      title: 'Spin',
      description: 'Claims to wait, never does',
      icon: 'loop',
      config: z.object({}),
      ports: nextPort,
      waits: true,
      execute: () => ({ go: 'next' }),
    });
    const registry = defaultRegistry().register([spin], 'acme');
    const result = validateJourney(
      definition(
        [
          { id: 'start', type: 'trigger.manual' },
          { id: 's1', type: 'acme.spin' },
          { id: 's2', type: 'acme.spin' },
        ],
        ['start -> s1', 's1 -> s2', 's2 -> s1'],
      ),
      registry,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const r = new Runner(result.journey).manual('2026-03-02T10:00:00Z');
    const last = r.steps[r.steps.length - 1];
    expect(last?.error?.code).toBe('runaway_loop');
    // A stopped loop is not a completed journey: no exit, the run is simply ended.
    expect(last?.exit).toBeUndefined();
    // Visits (steps without an error) stay within the default cap of one more than the journey's nodes.
    expect(r.steps.filter((s) => s.error === undefined).length).toBeLessThanOrEqual(result.journey.nodes.size + 1);
    expect(r.state.runs).toEqual([]);
    expect(r.done).toBe(true);
  });

  it('honours a lower maxSteps from the caller', () => {
    const j = prepare(
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 'u1', type: 'action.updateContact', config: { set: { a: 1 } } },
        { id: 'u2', type: 'action.updateContact', config: { set: { b: 1 } } },
        { id: 'u3', type: 'action.updateContact', config: { set: { c: 1 } } },
        { id: 'end', type: 'flow.exit' },
      ],
      ['start -> u1', 'u1 -> u2', 'u2 -> u3', 'u3 -> end'],
    );
    const r = new Runner(j, {}, { maxSteps: 2 }).manual('2026-03-02T10:00:00Z');
    expect(trail(r)).toEqual(['start', 'u1', 'u2#runaway_loop']);
    expect(r.state.runs).toEqual([]);
  });
});
