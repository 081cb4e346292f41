import { describe, expect, it } from 'vitest';
import type { Condition, ConditionValue } from '../schema/condition.ts';
import { at } from '../test-util.ts';
import { applyOp, evaluateCondition, type HistoryEvent, nextWindowExpiry, readPath } from './evaluate.ts';

describe('applyOp', () => {
  it.each<[string, unknown, ConditionValue | undefined, boolean]>([
    ['eq', 'PL', 'PL', true],
    ['eq', 'PL', 'pl', false],
    ['eq', 5, '5', true],
    ['eq', 5, 5.0, true],
    ['eq', true, true, true],
    ['eq', true, 'true', false],
    ['eq', null, null, true],
    ['eq', undefined, 'x', false],
    ['eq', [1, 2], [1, 2], true],
    ['eq', [1, 2], [2, 1], false],
    ['eq', '2026-03-02', '2026-03-02T00:00:00Z', true],
    ['neq', 'PL', 'DE', true],
    ['neq', 'PL', 'PL', false],
    ['neq', undefined, 'PL', true],
    ['gt', 10, 5, true],
    ['gt', 5, 5, false],
    ['gt', '10', 9, true],
    ['gt', '10', '9', true],
    ['gt', 'b', 'a', true],
    ['gt', '2026-03-02', '2026-03-01T23:00:00Z', true],
    ['gt', null, 1, false],
    ['gt', 'abc', 1, false],
    ['gt', undefined, 0, false],
    ['gte', 5, 5, true],
    ['gte', 4, 5, false],
    ['lt', 4, 5, true],
    ['lt', 5, 5, false],
    ['lte', 5, 5, true],
    ['lte', 6, 5, false],
    ['contains', 'Hello World', 'world', true],
    ['contains', 'Hello', 'bye', false],
    ['contains', ['vip', 'beta'], 'beta', true],
    ['contains', ['vip', 'beta'], 'alpha', false],
    ['contains', 'abc', 1, false],
    ['contains', 5, '5', false],
    ['in', 'PL', ['PL', 'DE'], true],
    ['in', 'FR', ['PL', 'DE'], false],
    ['in', 'PL', 'PL', false],
    ['in', 2, ['1', '2'], true],
    ['exists', 'x', undefined, true],
    ['exists', 0, undefined, true],
    ['exists', false, undefined, true],
    ['exists', undefined, undefined, false],
    ['exists', null, undefined, false],
    ['exists', '', undefined, false],
    ['exists', undefined, false, true],
    ['exists', 'x', false, false],
    ['like', 'x', 'x', false],
  ])('%s(%j, %j) is %s', (op, actual, value, expected) => {
    expect(applyOp(op, actual, value)).toBe(expected);
  });
});

describe('readPath', () => {
  it.each<[Record<string, unknown>, string, unknown]>([
    [{ plan: 'pro' }, 'plan', 'pro'],
    [{ address: { city: 'Kraków' } }, 'address.city', 'Kraków'],
    [{ 'address.city': 'flat', address: { city: 'nested' } }, 'address.city', 'flat'],
    [{ address: 'Kraków' }, 'address.city', undefined],
    [{}, 'a.b.c', undefined],
    [{ a: null }, 'a.b', undefined],
  ])('reads %j at %s', (source, path, expected) => {
    expect(readPath(source, path)).toBe(expected);
  });
});

const now = at('2026-03-02T10:00:00Z');
const day = 24 * 3600 * 1000;
const purchase = (daysAgo: number, total = 10): HistoryEvent => ({
  event: 'purchase',
  at: now - daysAgo * day,
  properties: { total },
});

describe('evaluateCondition', () => {
  const attributes = { plan: 'pro', country: 'PL', address: { city: 'Kraków' } };
  const scope = { attributes, now };

  it.each<[string, Condition, boolean]>([
    ['attribute rule', { attribute: 'plan', op: 'eq', value: 'pro' }, true],
    ['nested attribute', { attribute: 'address.city', op: 'eq', value: 'Kraków' }, true],
    [
      'all, all true',
      {
        all: [
          { attribute: 'plan', op: 'eq', value: 'pro' },
          { attribute: 'country', op: 'in', value: ['PL'] },
        ],
      },
      true,
    ],
    [
      'all, one false',
      {
        all: [
          { attribute: 'plan', op: 'eq', value: 'pro' },
          { attribute: 'country', op: 'eq', value: 'DE' },
        ],
      },
      false,
    ],
    [
      'any, one true',
      {
        any: [
          { attribute: 'plan', op: 'eq', value: 'free' },
          { attribute: 'country', op: 'eq', value: 'PL' },
        ],
      },
      true,
    ],
    ['any, none true', { any: [{ attribute: 'plan', op: 'eq', value: 'free' }] }, false],
    ['not', { not: { attribute: 'plan', op: 'eq', value: 'pro' } }, false],
    ['empty all', { all: [] }, true],
    ['empty any', { any: [] }, false],
  ])('%s', (_name, condition, expected) => {
    expect(evaluateCondition(condition, scope)).toBe(expected);
  });

  it.each<[string, Condition, HistoryEvent[], boolean]>([
    ['any purchase ever, none', { event: 'purchase' }, [], false],
    ['any purchase ever, one long ago', { event: 'purchase' }, [purchase(400)], true],
    ['never purchased', { event: 'purchase', count: { op: 'eq', value: 0 } }, [], true],
    [
      'two within 30 days, one inside',
      { event: 'purchase', count: { op: 'gte', value: 2 }, within: 'P30D' },
      [purchase(40), purchase(3)],
      false,
    ],
    [
      'two within 30 days, two inside',
      { event: 'purchase', count: { op: 'gte', value: 2 }, within: 'P30D' },
      [purchase(29), purchase(3)],
      true,
    ],
    ['exactly 30 days ago is inside', { event: 'purchase', within: 'P30D' }, [purchase(30)], true],
    [
      'a moment more than 30 days ago is outside',
      { event: 'purchase', within: 'P30D' },
      [{ ...purchase(30), at: now - 30 * day - 1 }],
      false,
    ],
    ['events after now are not counted', { event: 'purchase' }, [purchase(-1)], false],
    [
      'other events are not counted',
      { event: 'purchase' },
      [{ event: 'refund', at: now - day, properties: {} }],
      false,
    ],
    [
      'where on event properties',
      { event: 'purchase', where: { attribute: 'total', op: 'gte', value: 100 } },
      [purchase(1, 20), purchase(2, 150)],
      true,
    ],
    [
      'where excludes all',
      { event: 'purchase', where: { attribute: 'total', op: 'gte', value: 100 } },
      [purchase(1, 20)],
      false,
    ],
    ['fewer than 3', { event: 'purchase', count: { op: 'lt', value: 3 } }, [purchase(1), purchase(2)], true],
  ])('event rule: %s', (_name, condition, history, expected) => {
    expect(evaluateCondition(condition, { attributes: {}, history, now })).toBe(expected);
  });

  it('measures calendar windows in the given zone', () => {
    // P1M before 2026-03-31 10:00 Warsaw is 2026-02-28 10:00 Warsaw (09:00Z): luxon clamps to month end.
    const end = at('2026-03-31T08:00:00Z');
    const history = [{ event: 'login', at: at('2026-02-28T08:30:00Z'), properties: {} }];
    expect(
      evaluateCondition(
        { event: 'login', within: 'P1M' },
        { attributes: {}, history, now: end, zone: 'Europe/Warsaw' },
      ),
    ).toBe(false);
    expect(
      evaluateCondition({ event: 'login', within: 'P1M' }, { attributes: {}, history, now: end, zone: 'UTC' }),
    ).toBe(true);
  });
});

describe('nextWindowExpiry', () => {
  it('is the moment the oldest counted event leaves the window', () => {
    const condition: Condition = { event: 'purchase', count: { op: 'gte', value: 2 }, within: 'P7D' };
    const history = [purchase(10), purchase(5), purchase(2)];
    expect(nextWindowExpiry(condition, { attributes: {}, history, now })).toBe(now - 5 * day + 7 * day + 1);
  });

  it('looks inside all, any and not, and takes the earliest', () => {
    const condition: Condition = {
      all: [{ not: { event: 'purchase', within: 'P7D' } }, { any: [{ event: 'login', within: 'P1D' }] }],
    };
    const history = [purchase(3), { event: 'login', at: now - 3600_000, properties: {} }];
    expect(nextWindowExpiry(condition, { attributes: {}, history, now })).toBe(now - 3600_000 + day + 1);
  });

  it('is null without windows or without events in them', () => {
    expect(nextWindowExpiry({ event: 'purchase' }, { attributes: {}, history: [purchase(1)], now })).toBeNull();
    expect(
      nextWindowExpiry({ event: 'purchase', within: 'P1D' }, { attributes: {}, history: [purchase(3)], now }),
    ).toBeNull();
    expect(nextWindowExpiry({ attribute: 'plan', op: 'exists' }, { attributes: {}, now })).toBeNull();
  });
});
