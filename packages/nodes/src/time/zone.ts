import { DateTime, IANAZone } from 'luxon';

/** True when `zone` is an IANA time zone this platform knows, such as `Europe/Warsaw`. */
export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** A time of day parsed from `HH:MM`. */
export interface TimeOfDay {
  hour: number;
  minute: number;
}

const timePattern = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Parses `HH:MM` (24-hour); returns null when the text is not a time of day. */
export function parseTimeOfDay(text: string): TimeOfDay | null {
  const m = timePattern.exec(text);
  if (!m) return null;
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
/** A day of the week as journeys write it. */
export type Weekday = (typeof weekdays)[number];
/** The days of the week, Monday first. */
export const weekdayNames: readonly Weekday[] = weekdays;

/**
 * The first instant at or after `from` whose wall clock in `zone` reads `time`, on one of `days` when given.
 * A time skipped by a DST change resolves to the first valid instant after the gap.
 */
export function nextTimeOfDay(from: number, time: TimeOfDay, zone: string, days?: readonly Weekday[]): number {
  const start = DateTime.fromMillis(from, { zone });
  for (let offset = 0; offset <= 7; offset++) {
    const day = start.plus({ days: offset });
    if (days && days.length > 0 && !days.includes(weekdays[day.weekday - 1] as Weekday)) continue;
    const candidate = DateTime.fromObject(
      { year: day.year, month: day.month, day: day.day, hour: time.hour, minute: time.minute },
      { zone },
    ).toMillis();
    if (candidate >= from) return candidate;
  }
  // Unreachable: within eight days some allowed weekday has the time of day after `from`.
  throw new Error('no matching time of day');
}

/** Minutes since local midnight of `instant` in `zone`. */
export function minuteOfDay(instant: number, zone: string): number {
  const local = DateTime.fromMillis(instant, { zone });
  return local.hour * 60 + local.minute;
}

/**
 * When `instant` lies inside the daily window [start, end) in `zone` (a window may cross midnight),
 * returns the instant the window ends; otherwise null.
 */
export function quietWindowEnd(instant: number, start: TimeOfDay, end: TimeOfDay, zone: string): number | null {
  const now = minuteOfDay(instant, zone);
  const s = start.hour * 60 + start.minute;
  const e = end.hour * 60 + end.minute;
  if (s === e) return null;
  const inside = s < e ? now >= s && now < e : now >= s || now < e;
  if (!inside) return null;
  return nextTimeOfDay(instant, end, zone);
}

/** The calendar date (`YYYY-MM-DD`) of an instant in `zone`. */
export function localDate(instant: number, zone: string): string {
  return DateTime.fromMillis(instant, { zone }).toISODate() ?? '';
}

/** The instant at which the wall clock in `zone` reads `time` on the calendar date `date` (`YYYY-MM-DD`). */
export function atLocalTime(date: string, time: TimeOfDay, zone: string): number | null {
  const d = DateTime.fromISO(date, { zone });
  if (!d.isValid) return null;
  return d.set({ hour: time.hour, minute: time.minute, second: 0, millisecond: 0 }).toMillis();
}
