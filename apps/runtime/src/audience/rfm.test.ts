import { describe, expect, it } from 'vitest';
import { nextRfmChange, rfmSettingsSchema, scoreRfm } from './rfm.ts';

const day = 86_400_000;
const now = Date.parse('2026-03-02T10:00:00Z');
const defaults = rfmSettingsSchema.parse({});

describe('scoreRfm with the default thresholds', () => {
  it.each([
    // [days since last, count, total, recency, frequency, monetary]
    [0, 1, 10, 5, 1, 1],
    [7, 2, 50, 5, 2, 2],
    [8, 3, 149.99, 4, 3, 2],
    [30, 5, 150, 4, 4, 3],
    [31, 9, 499, 3, 4, 3],
    [90, 10, 500, 3, 5, 4],
    [180, 40, 1000, 2, 5, 5],
    [181, 1, 0, 1, 1, 1],
  ])('%i days, %i purchases, %f spent → %i%i%i', (days, count, total, r, f, m) => {
    const values = scoreRfm(defaults, { count, total, last: now - days * day }, now);
    expect(values).toMatchObject({
      recency_days: days,
      frequency: count,
      recency_score: r,
      frequency_score: f,
      monetary_score: m,
      score: `${r}${f}${m}`,
    });
  });

  it('counts whole days: 23 hours after the purchase is day 0', () => {
    expect(scoreRfm(defaults, { count: 1, total: 1, last: now - 23 * 3600_000 }, now).recency_days).toBe(0);
  });

  it('rounds the total to cents', () => {
    expect(scoreRfm(defaults, { count: 3, total: 0.1 + 0.2 + 100, last: now }, now).monetary).toBe(100.3);
  });
});

describe('nextRfmChange', () => {
  it('is the moment recency_days goes up by one', () => {
    const last = now - 3 * day - 5_000;
    const values = scoreRfm(defaults, { count: 1, total: 1, last }, now);
    expect(nextRfmChange(values, now)).toBe(last + 4 * day);
    expect(scoreRfm(defaults, { count: 1, total: 1, last }, last + 4 * day).recency_days).toBe(4);
    expect(scoreRfm(defaults, { count: 1, total: 1, last }, last + 4 * day - 1).recency_days).toBe(3);
  });
});

describe('rfmSettingsSchema', () => {
  it('fills defaults and refuses thresholds that are not four ascending numbers, naming the field', () => {
    expect(defaults).toEqual({
      purchaseEvent: 'purchase',
      amountProperty: 'amount',
      thresholds: { recencyDays: [7, 30, 90, 180], frequency: [2, 3, 5, 10], monetary: [50, 150, 500, 1000] },
    });
    const bad = rfmSettingsSchema.safeParse({ thresholds: { frequency: [1, 2, 3], monetary: [5, 5, 6, 7] } });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['thresholds.frequency', 'thresholds.monetary']));
    expect(rfmSettingsSchema.safeParse({ purchaseEvent: ' ' }).success).toBe(false);
  });
});
