import { DateTime } from 'luxon';

/** An ISO 8601 duration split into calendar parts (zone-aware) and an exact part in milliseconds. */
export interface Duration {
  sign: 1 | -1;
  years: number;
  months: number;
  weeks: number;
  days: number;
  /** Hours, minutes and seconds as milliseconds. */
  exactMs: number;
}

const pattern =
  /^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const cache = new Map<string, Duration | null>();

/** Parses an ISO 8601 duration such as `PT1H`, `P3D` or `-P1D`; returns null when it is not one. */
export function parseDuration(text: string): Duration | null {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const m = pattern.exec(text);
  let result: Duration | null = null;
  if (m && text !== 'P' && text !== '-P' && !text.endsWith('T')) {
    const n = (i: number) => (m[i] === undefined ? 0 : Number(m[i]));
    result = {
      sign: m[1] ? -1 : 1,
      years: n(2),
      months: n(3),
      weeks: n(4),
      days: n(5),
      exactMs: Math.round((n(6) * 3600 + n(7) * 60 + n(8)) * 1000),
    };
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(text, result);
  return result;
}

/** True when the duration is longer than zero. */
export function isPositive(d: Duration): boolean {
  return d.sign === 1 && d.years + d.months + d.weeks + d.days + d.exactMs > 0;
}

/**
 * Adds a duration to an instant. Calendar parts (years, months, weeks, days) move the wall clock in
 * `zone`, so "P1D" keeps the local time across a DST change; hours and smaller are exact.
 */
export function addDuration(instant: number, d: Duration, zone: string): number {
  const calendar = d.years !== 0 || d.months !== 0 || d.weeks !== 0 || d.days !== 0;
  if (!calendar) return instant + d.sign * d.exactMs;
  const base = DateTime.fromMillis(instant, { zone });
  const moved = base.plus({
    years: d.sign * d.years,
    months: d.sign * d.months,
    weeks: d.sign * d.weeks,
    days: d.sign * d.days,
  });
  return moved.toMillis() + d.sign * d.exactMs;
}

/** Subtracts a duration from an instant; the inverse of {@link addDuration}. */
export function subtractDuration(instant: number, d: Duration, zone: string): number {
  return addDuration(instant, { ...d, sign: d.sign === 1 ? -1 : 1 }, zone);
}
