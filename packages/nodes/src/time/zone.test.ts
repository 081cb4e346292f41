import { describe, expect, it } from 'vitest';
import { at, iso } from '../test-util.ts';
import {
  atLocalTime,
  isValidTimeZone,
  localDate,
  minuteOfDay,
  nextTimeOfDay,
  parseTimeOfDay,
  quietWindowEnd,
  type Weekday,
} from './zone.ts';

describe('isValidTimeZone', () => {
  it.each([
    ['Europe/Warsaw', true],
    ['America/New_York', true],
    ['UTC', true],
    ['Mars/Olympus', false],
    ['', false],
    ['+02:00', false],
  ])('%j → %s', (zone, expected) => {
    expect(isValidTimeZone(zone)).toBe(expected);
  });
});

describe('parseTimeOfDay', () => {
  it.each([
    ['00:00', { hour: 0, minute: 0 }],
    ['09:05', { hour: 9, minute: 5 }],
    ['23:59', { hour: 23, minute: 59 }],
  ])('parses %s', (text, expected) => {
    expect(parseTimeOfDay(text)).toEqual(expected);
  });

  it.each(['24:00', '9:00', '12:60', '1200', '12:00:00', '', ' 12:00', '12h00'])('rejects %j', (text) => {
    expect(parseTimeOfDay(text)).toBeNull();
  });
});

describe('nextTimeOfDay', () => {
  const next = (from: string, time: string, zone: string, days?: Weekday[]) => {
    const t = parseTimeOfDay(time);
    if (!t) throw new Error(time);
    return iso(nextTimeOfDay(at(from), t, zone, days));
  };

  it.each([
    ['later today', '2026-03-02T06:00:00Z', '09:00', 'Europe/Warsaw', undefined, '2026-03-02T08:00:00.000Z'],
    [
      'now, when the clock reads the time exactly',
      '2026-03-02T08:00:00Z',
      '09:00',
      'Europe/Warsaw',
      undefined,
      '2026-03-02T08:00:00.000Z',
    ],
    ['tomorrow once passed', '2026-03-02T08:00:01Z', '09:00', 'Europe/Warsaw', undefined, '2026-03-03T08:00:00.000Z'],
    [
      'the morning after the Warsaw spring change',
      '2026-03-28T20:00:00Z',
      '09:00',
      'Europe/Warsaw',
      undefined,
      '2026-03-29T07:00:00.000Z',
    ],
    [
      'a time skipped by the Warsaw spring change: the end of the gap',
      '2026-03-28T20:00:00Z',
      '02:30',
      'Europe/Warsaw',
      undefined,
      '2026-03-29T01:00:00.000Z',
    ],
    [
      'a time repeated by the Warsaw autumn change: its first occurrence',
      '2026-10-24T20:00:00Z',
      '02:30',
      'Europe/Warsaw',
      undefined,
      '2026-10-25T00:30:00.000Z',
    ],
    [
      'a repeated time happens once: after its first occurrence, tomorrow',
      '2026-10-25T00:45:00Z',
      '02:30',
      'Europe/Warsaw',
      undefined,
      '2026-10-26T01:30:00.000Z',
    ],
    [
      'a repeated time after both occurrences: tomorrow',
      '2026-10-25T01:31:00Z',
      '02:30',
      'Europe/Warsaw',
      undefined,
      '2026-10-26T01:30:00.000Z',
    ],
    [
      'a time skipped by the New York spring change',
      '2026-03-08T05:00:00Z',
      '02:30',
      'America/New_York',
      undefined,
      '2026-03-08T07:00:00.000Z',
    ],
    [
      'the morning after the New York autumn change',
      '2026-10-31T18:00:00Z',
      '09:00',
      'America/New_York',
      undefined,
      '2026-11-01T14:00:00.000Z',
    ],
    ['the next Saturday', '2026-03-02T06:00:00Z', '09:00', 'Europe/Warsaw', ['sat'], '2026-03-07T08:00:00.000Z'],
    [
      'next week when today is the only day and passed',
      '2026-03-02T10:00:00Z',
      '09:00',
      'Europe/Warsaw',
      ['mon'],
      '2026-03-09T08:00:00.000Z',
    ],
    ['the nearest of several days', '2026-03-02T10:00:00Z', '09:00', 'UTC', ['fri', 'wed'], '2026-03-04T09:00:00.000Z'],
    [
      'a weekday in the zone, not in UTC (Sunday 23:30Z is Monday in Warsaw)',
      '2026-03-01T23:30:00Z',
      '09:00',
      'Europe/Warsaw',
      ['mon'],
      '2026-03-02T08:00:00.000Z',
    ],
  ] as const)('%s', (_name, from, time, zone, days, expected) => {
    expect(next(from, time, zone, days === undefined ? undefined : [...days])).toBe(expected);
  });
});

describe('quietWindowEnd', () => {
  const end = (instant: string, start: string, stop: string, zone: string) => {
    const s = parseTimeOfDay(start);
    const e = parseTimeOfDay(stop);
    if (!s || !e) throw new Error('bad time');
    const t = quietWindowEnd(at(instant), s, e, zone);
    return t === null ? null : iso(t);
  };

  it.each([
    [
      'inside a window across midnight, before midnight',
      '2026-03-02T21:30:00Z',
      '21:00',
      '08:00',
      'Europe/Warsaw',
      '2026-03-03T07:00:00.000Z',
    ],
    [
      'inside a window across midnight, after midnight',
      '2026-03-03T02:00:00Z',
      '21:00',
      '08:00',
      'Europe/Warsaw',
      '2026-03-03T07:00:00.000Z',
    ],
    [
      'at the start of the window',
      '2026-03-02T20:00:00Z',
      '21:00',
      '08:00',
      'Europe/Warsaw',
      '2026-03-03T07:00:00.000Z',
    ],
    ['at the end of the window (outside)', '2026-03-03T07:00:00Z', '21:00', '08:00', 'Europe/Warsaw', null],
    ['outside a window across midnight', '2026-03-02T12:00:00Z', '21:00', '08:00', 'Europe/Warsaw', null],
    ['inside a window within a day', '2026-03-02T12:30:00Z', '12:00', '14:00', 'UTC', '2026-03-02T14:00:00.000Z'],
    ['outside a window within a day', '2026-03-02T15:00:00Z', '12:00', '14:00', 'UTC', null],
    ['an empty window', '2026-03-02T12:00:00Z', '12:00', '12:00', 'UTC', null],
    [
      'a window that ends inside the spring gap ends when the gap does',
      '2026-03-29T00:30:00Z',
      '01:00',
      '02:30',
      'Europe/Warsaw',
      '2026-03-29T01:00:00.000Z',
    ],
    ['across the autumn change', '2026-10-24T22:00:00Z', '21:00', '08:00', 'Europe/Warsaw', '2026-10-25T07:00:00.000Z'],
  ])('%s', (_name, instant, start, stop, zone, expected) => {
    expect(end(instant, start, stop, zone)).toBe(expected);
  });
});

describe('local dates and times', () => {
  it('localDate is the calendar date in the zone', () => {
    expect(localDate(at('2026-03-01T23:30:00Z'), 'Europe/Warsaw')).toBe('2026-03-02');
    expect(localDate(at('2026-03-01T23:30:00Z'), 'UTC')).toBe('2026-03-01');
    expect(localDate(at('2026-03-02T03:00:00Z'), 'America/New_York')).toBe('2026-03-01');
  });

  it('minuteOfDay counts from local midnight', () => {
    expect(minuteOfDay(at('2026-03-02T08:15:00Z'), 'Europe/Warsaw')).toBe(9 * 60 + 15);
    expect(minuteOfDay(at('2026-07-02T08:15:00Z'), 'Europe/Warsaw')).toBe(10 * 60 + 15);
  });

  it.each([
    ['a winter day', '2026-01-15', '09:00', 'Europe/Warsaw', '2026-01-15T08:00:00.000Z'],
    ['a summer day', '2026-07-15', '09:00', 'Europe/Warsaw', '2026-07-15T07:00:00.000Z'],
    ['a time skipped by the spring change', '2026-03-29', '02:30', 'Europe/Warsaw', '2026-03-29T01:00:00.000Z'],
    ['a time repeated by the autumn change', '2026-10-25', '02:30', 'Europe/Warsaw', '2026-10-25T00:30:00.000Z'],
    ['not a date', '2026-13-01', '09:00', 'Europe/Warsaw', null],
  ])('atLocalTime: %s', (_name, date, time, zone, expected) => {
    const t = parseTimeOfDay(time);
    if (!t) throw new Error(time);
    const result = atLocalTime(date, t, zone);
    expect(result === null ? null : iso(result)).toBe(expected);
  });
});
