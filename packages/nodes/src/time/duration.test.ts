import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { at, iso } from '../test-util.ts';
import { addDuration, type Duration, isPositive, parseDuration, subtractDuration } from './duration.ts';

const zero = { sign: 1, years: 0, months: 0, weeks: 0, days: 0, exactMs: 0 } as const;

describe('parseDuration', () => {
  it.each<[string, Duration]>([
    ['PT1H', { ...zero, exactMs: 3_600_000 }],
    ['PT30M', { ...zero, exactMs: 1_800_000 }],
    ['PT0.5S', { ...zero, exactMs: 500 }],
    ['P3D', { ...zero, days: 3 }],
    ['P2W', { ...zero, weeks: 2 }],
    ['P1M', { ...zero, months: 1 }],
    ['P1Y', { ...zero, years: 1 }],
    ['-P1D', { ...zero, sign: -1, days: 1 }],
    ['-PT15M', { ...zero, sign: -1, exactMs: 900_000 }],
    [
      'P1Y2M3W4DT5H6M7.5S',
      { sign: 1, years: 1, months: 2, weeks: 3, days: 4, exactMs: (5 * 3600 + 6 * 60 + 7.5) * 1000 },
    ],
    ['PT0S', zero],
    ['P0D', zero],
  ])('parses %s', (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });

  it.each([
    '',
    'P',
    '-P',
    'PT',
    'P1DT',
    '1H',
    'PT1.5H',
    'P1.5D',
    'p1d',
    'P-1D',
    'P1D2Y',
    ' PT1H',
    'PT1H ',
    '+P1D',
    'P1H',
  ])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('returns the same answer when asked twice (cached)', () => {
    expect(parseDuration('P5D')).toEqual(parseDuration('P5D'));
    expect(parseDuration('nope')).toBeNull();
    expect(parseDuration('nope')).toBeNull();
  });
});

describe('isPositive', () => {
  it.each([
    ['PT1S', true],
    ['P1D', true],
    ['PT0S', false],
    ['P0D', false],
    ['-P1D', false],
  ])('%s → %s', (text, expected) => {
    const d = parseDuration(text);
    if (!d) throw new Error(`unparsed ${text}`);
    expect(isPositive(d)).toBe(expected);
  });
});

describe('addDuration', () => {
  const add = (from: string, text: string, zone: string) => {
    const d = parseDuration(text);
    if (!d) throw new Error(`unparsed ${text}`);
    return iso(addDuration(at(from), d, zone));
  };

  it.each([
    ['an exact hour ignores the zone', '2026-03-29T00:30:00Z', 'PT1H', 'Europe/Warsaw', '2026-03-29T01:30:00.000Z'],
    [
      'a day across the Warsaw spring change keeps 09:00 local',
      '2026-03-28T08:00:00Z',
      'P1D',
      'Europe/Warsaw',
      '2026-03-29T07:00:00.000Z',
    ],
    [
      '24 hours across the Warsaw spring change',
      '2026-03-28T08:00:00Z',
      'PT24H',
      'Europe/Warsaw',
      '2026-03-29T08:00:00.000Z',
    ],
    [
      'a day across the Warsaw autumn change keeps 09:00 local',
      '2026-10-24T07:00:00Z',
      'P1D',
      'Europe/Warsaw',
      '2026-10-25T08:00:00.000Z',
    ],
    [
      'a day across the New York spring change',
      '2026-03-07T14:00:00Z',
      'P1D',
      'America/New_York',
      '2026-03-08T13:00:00.000Z',
    ],
    [
      'a week across the New York autumn change',
      '2026-10-29T13:00:00Z',
      'P1W',
      'America/New_York',
      '2026-11-05T14:00:00.000Z',
    ],
    [
      'a month from 31 January clamps to the end of February',
      '2026-01-31T12:00:00Z',
      'P1M',
      'UTC',
      '2026-02-28T12:00:00.000Z',
    ],
    ['a year from a leap day', '2028-02-29T12:00:00Z', 'P1Y', 'UTC', '2029-02-28T12:00:00.000Z'],
    ['a negative day', '2026-03-29T07:00:00Z', '-P1D', 'Europe/Warsaw', '2026-03-28T08:00:00.000Z'],
    ['days then hours', '2026-10-24T07:00:00Z', 'P1DT1H', 'Europe/Warsaw', '2026-10-25T09:00:00.000Z'],
  ])('%s', (_name, from, text, zone, expected) => {
    expect(add(from, text, zone)).toBe(expected);
  });

  it('subtractDuration undoes an exact duration', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('2000-01-01T00:00:00Z'), max: at('2040-01-01T00:00:00Z') }),
        fc.integer({ min: 0, max: 1_000 * 3600 * 1000 }),
        fc.constantFrom('UTC', 'Europe/Warsaw', 'America/New_York'),
        (t, ms, zone) => {
          const d: Duration = { ...zero, exactMs: ms };
          expect(subtractDuration(addDuration(t, d, zone), d, zone)).toBe(t);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a calendar day keeps the local time of day in the zone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('2020-01-01T00:00:00Z'), max: at('2035-01-01T00:00:00Z') }).map((t) => t - (t % 60_000)),
        fc.integer({ min: 1, max: 400 }),
        fc.constantFrom('Europe/Warsaw', 'America/New_York'),
        (t, days, zone) => {
          const moved = addDuration(t, { ...zero, days }, zone);
          const local = (x: number) =>
            new Intl.DateTimeFormat('en-GB', {
              timeZone: zone,
              hour: '2-digit',
              minute: '2-digit',
              hourCycle: 'h23',
            }).format(x);
          // Both zones skip 02:00–03:00 in spring; any other wall-clock time exists on every day.
          if (!local(t).startsWith('02:')) expect(local(moved)).toBe(local(t));
          expect(Math.abs(moved - t - days * 86_400_000)).toBeLessThanOrEqual(3_600_000);
        },
      ),
      { numRuns: 200 },
    );
  });
});
