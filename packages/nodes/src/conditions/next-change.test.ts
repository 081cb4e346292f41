import { describe, expect, it } from 'vitest';
import type { Condition } from '../schema/condition.ts';
import { at } from '../test-util.ts';
import { evaluateCondition, type HistoryEvent } from './evaluate.ts';
import { nextConditionChange } from './next-change.ts';

const now = at('2026-03-02T10:00:00Z');
const hour = 3600 * 1000;
const day = 24 * hour;
const ev = (event: string, t: number, properties: Record<string, unknown> = {}): HistoryEvent => ({
  event,
  at: t,
  properties,
});
const purchase = (daysAgo: number, total = 10) => ev('purchase', now - daysAgo * day, { total });
const twiceIn30: Condition = { event: 'purchase', count: { op: 'gte', value: 2 }, within: 'P30D' };

describe('nextConditionChange', () => {
  it('is the moment the older of two counted purchases leaves the window', () => {
    const history = [purchase(20), purchase(10)];
    const t = nextConditionChange(twiceIn30, { attributes: {}, history, now });
    expect(t).toBe(now - 20 * day + 30 * day + 1);
    const scope = { attributes: {}, history };
    expect(evaluateCondition(twiceIn30, { ...scope, now: (t as number) - 1 })).toBe(true);
    expect(evaluateCondition(twiceIn30, { ...scope, now: t as number })).toBe(false);
  });

  it('skips boundaries that do not flip the answer: with three purchases the second-oldest decides', () => {
    const history = [purchase(25), purchase(15), purchase(5)];
    expect(nextConditionChange(twiceIn30, { attributes: {}, history, now })).toBe(now - 15 * day + 30 * day + 1);
  });

  it('finds when a non-member comes in: "no purchase in P30D" (lapsed) turns true as the last one ages out', () => {
    const lapsed: Condition = { not: { event: 'purchase', within: 'P30D' } };
    const history = [purchase(40), purchase(12), purchase(3)];
    expect(evaluateCondition(lapsed, { attributes: {}, history, now })).toBe(false);
    expect(nextConditionChange(lapsed, { attributes: {}, history, now })).toBe(now - 3 * day + 30 * day + 1);
  });

  it('counts only events matching `where`', () => {
    const big: Condition = {
      event: 'purchase',
      within: 'P7D',
      where: { attribute: 'total', op: 'gte', value: 100 },
    };
    const history = [purchase(6, 10), purchase(2, 500)];
    expect(nextConditionChange(big, { attributes: {}, history, now })).toBe(now - 2 * day + 7 * day + 1);
  });

  it('counts an event stamped in the future from its time on', () => {
    const history = [purchase(5), ev('purchase', now + 2 * hour)];
    expect(nextConditionChange(twiceIn30, { attributes: {}, history, now })).toBe(now + 2 * hour);
  });

  it('combines rules: the earliest flip of the whole condition, through all, any and not', () => {
    const condition: Condition = {
      all: [{ attribute: 'plan', op: 'eq', value: 'pro' }, { any: [twiceIn30, { event: 'login', within: 'P1D' }] }],
    };
    const history = [purchase(29), purchase(1), ev('login', now - hour)];
    const scope = { attributes: { plan: 'pro' }, history, now };
    // The login leaves after 23 hours, but the two purchases still hold; the older purchase leaves a day later.
    expect(nextConditionChange(condition, scope)).toBe(now - 29 * day + 30 * day + 1);
    // An attribute rule that is false makes every window irrelevant.
    expect(nextConditionChange(condition, { ...scope, attributes: { plan: 'free' } })).toBeNull();
  });

  it('is null without windows, without events, or when every event already left', () => {
    expect(nextConditionChange({ event: 'purchase' }, { attributes: {}, history: [purchase(1)], now })).toBeNull();
    expect(nextConditionChange(twiceIn30, { attributes: {}, history: [], now })).toBeNull();
    expect(nextConditionChange(twiceIn30, { attributes: {}, history: [purchase(40), purchase(31)], now })).toBeNull();
    expect(nextConditionChange({ attribute: 'plan', op: 'exists' }, { attributes: {}, now })).toBeNull();
  });

  it('keeps calendar windows in the contact zone across a DST change (P1D in Warsaw is 23 hours in March)', () => {
    const zone = 'Europe/Warsaw';
    const login = at('2026-03-28T12:00:00Z');
    const rule: Condition = { event: 'login', within: 'P1D' };
    const t = nextConditionChange(rule, { attributes: {}, history: [ev('login', login)], now: login + hour, zone });
    expect(t).toBe(login + 23 * hour + 1);
    expect(
      evaluateCondition(rule, { attributes: {}, history: [ev('login', login)], now: (t as number) - 1, zone }),
    ).toBe(true);
    expect(evaluateCondition(rule, { attributes: {}, history: [ev('login', login)], now: t as number, zone })).toBe(
      false,
    );
  });

  it('returns the last boundary checked when the answer holds past maxChecks, so the caller asks again then', () => {
    const history = Array.from({ length: 10 }, (_, i) => purchase(29 - i));
    const atLeastOne: Condition = { event: 'purchase', within: 'P30D' };
    expect(nextConditionChange(atLeastOne, { attributes: {}, history, now }, 3)).toBe(now - 27 * day + 30 * day + 1);
    expect(nextConditionChange(atLeastOne, { attributes: {}, history, now })).toBe(now - 20 * day + 30 * day + 1);
  });
});

describe('nextConditionChange with month windows', () => {
  it('finds the first instant a P1M window no longer reaches an event at the end of January', () => {
    const rule: Condition = { event: 'login', within: 'P1M' };
    const login = at('2026-01-31T12:00:00Z');
    const history = [ev('login', login)];
    const t = nextConditionChange(rule, { attributes: {}, history, now: login + hour }) as number;
    expect(evaluateCondition(rule, { attributes: {}, history, now: t - 1 })).toBe(true);
    expect(evaluateCondition(rule, { attributes: {}, history, now: t })).toBe(false);
    expect(new Date(t).toISOString().slice(0, 10)).toBe('2026-03-01');
  });
});
