import { z } from 'zod';
import { isPositive, parseDuration } from '../time/duration.ts';
import { isValidTimeZone, parseTimeOfDay } from '../time/zone.ts';

/** An ISO 8601 duration that may not be negative, such as `PT1H` or `P3D`. */
export const durationSchema = z
  .string()
  .refine((s) => parseDuration(s) !== null && !s.startsWith('-'), {
    message: 'must be an ISO 8601 duration such as PT1H or P3D',
  })
  .meta({ format: 'duration', examples: ['PT1H', 'P1D'] });

/** An ISO 8601 duration longer than zero. */
export const positiveDurationSchema = durationSchema
  .refine((s) => {
    const d = parseDuration(s);
    return d !== null && isPositive(d);
  }, 'must be longer than zero')
  .meta({ format: 'duration' });

/** An ISO 8601 duration that may be negative (`-P1D`), for offsets before a date. */
export const signedDurationSchema = z
  .string()
  .refine((s) => parseDuration(s) !== null, { message: 'must be an ISO 8601 duration such as P1D or -P1D' })
  .meta({ format: 'duration', 'x-waymark-negative': true });

/** A time of day, `HH:MM` on a 24-hour clock. */
export const timeOfDaySchema = z
  .string()
  .refine((s) => parseTimeOfDay(s) !== null, { message: 'must be a time of day as HH:MM (24-hour)' })
  .meta({ format: 'time-of-day', examples: ['09:00'] });

/** An IANA time zone name such as `Europe/Warsaw`. */
export const timeZoneSchema = z
  .string()
  .refine(isValidTimeZone, { message: 'must be an IANA time zone such as Europe/Warsaw' })
  .meta({ format: 'time-zone' });

/** An ISO 8601 instant with an offset, such as `2026-03-02T10:00:00Z`. */
export const instantSchema = z.iso.datetime({ offset: true });

/** A non-empty identifier: node ids, event names, template ids. */
export const nameSchema = z.string().trim().min(1, 'must not be empty').max(200);
