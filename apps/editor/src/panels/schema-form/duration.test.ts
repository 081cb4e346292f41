import { describe, expect, it } from 'vitest';
import { describeDuration, formatDuration, parseSimpleDuration } from './duration.ts';

describe('durations', () => {
  it.each([
    ['PT1H', { amount: 1, unit: 'hours', negative: false }],
    ['PT30M', { amount: 30, unit: 'minutes', negative: false }],
    ['P3D', { amount: 3, unit: 'days', negative: false }],
    ['P2W', { amount: 2, unit: 'weeks', negative: false }],
    ['P1M', { amount: 1, unit: 'months', negative: false }],
    ['-P1D', { amount: 1, unit: 'days', negative: true }],
  ])('reads %s', (text, expected) => {
    expect(parseSimpleDuration(text)).toEqual(expected);
    const d = parseSimpleDuration(text);
    if (d) expect(formatDuration(d.amount, d.unit, d.negative)).toBe(text);
  });

  it.each(['P1DT2H', 'PT1.5H', '', 'hour', 'P'])('leaves %j to the raw input', (text) => {
    expect(parseSimpleDuration(text)).toBeNull();
  });

  it('describes durations for summaries', () => {
    expect(describeDuration('PT1H')).toBe('1 hour');
    expect(describeDuration('P3D')).toBe('3 days');
    expect(describeDuration('-P1D')).toBe('1 day before');
    expect(describeDuration('P1DT2H')).toBe('P1DT2H');
  });

  it('writes zero without a sign', () => {
    expect(formatDuration(0, 'days', true)).toBe('P0D');
  });
});
