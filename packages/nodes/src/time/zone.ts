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

function matchesWallClock(instant: number, date: DateTime, time: TimeOfDay, zone: string): boolean {
  const local = DateTime.fromMillis(instant, { zone });
  return local.hasSame(date, 'day') && local.hour === time.hour && local.minute === time.minute;
}

/**
 * The instant the wall clock in `zone` reads `time` on `date`. When a DST change repeats that time,
 * the earlier instant; when it skips it, the first instant after the gap (the moment of the change).
 */
function resolveWallClock(date: DateTime, time: TimeOfDay, zone: string): number {
  const guess = DateTime.fromObject(
    { year: date.year, month: date.month, day: date.day, hour: time.hour, minute: time.minute },
    { zone },
  ).toMillis();
  if (!matchesWallClock(guess, date, time, zone)) {
    // Skipped by a DST gap: find the change, the earliest instant with the offset in force after it.
    const after = DateTime.fromMillis(guess, { zone }).offset;
    let lo = guess - 4 * 3_600_000;
    let hi = guess;
    while (hi - lo > 60_000) {
      const mid = Math.floor((lo + hi) / 2 / 60_000) * 60_000;
      if (DateTime.fromMillis(mid, { zone }).offset === after) hi = mid;
      else lo = mid;
    }
    return hi;
  }
  for (const earlier of [guess - 3_600_000, guess - 1_800_000])
    if (matchesWallClock(earlier, date, time, zone)) return earlier;
  return guess;
}

/**
 * The first instant at or after `from` whose wall clock in `zone` reads `time`, on one of `days` when given.
 * A time repeated by a DST change happens once, at its first occurrence; a skipped time at the end of the gap.
 */
export function nextTimeOfDay(from: number, time: TimeOfDay, zone: string, days?: readonly Weekday[]): number {
  const start = DateTime.fromMillis(from, { zone });
  for (let offset = 0; offset <= 7; offset++) {
    const day = start.plus({ days: offset });
    if (days && days.length > 0 && !days.includes(weekdays[day.weekday - 1] as Weekday)) continue;
    const candidate = resolveWallClock(day, time, zone);
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
  return resolveWallClock(d, time, zone);
}
