import { z } from 'zod';
import { evaluateCondition } from '../../conditions/evaluate.ts';
import { conditionSchema } from '../../schema/condition.ts';
import { nameSchema, signedDurationSchema, timeOfDaySchema } from '../../schema/primitives.ts';
import { defineNode, nextPort } from '../../sdk/define-node.ts';
import { addDuration, parseDuration } from '../../time/duration.ts';
import { atLocalTime, localDate, parseTimeOfDay } from '../../time/zone.ts';

const enter = () => ({ go: 'next' }) as const;

/** Enrols a contact when an event (optionally matching a condition on its properties) arrives. */
export const eventTrigger = defineNode({
  type: 'trigger.event',
  version: 1,
  category: 'trigger',
  title: 'When an event happens',
  description: 'Starts the journey when the contact does something, such as abandoning a cart.',
  icon: 'bolt',
  config: z.strictObject({
    event: nameSchema.meta({ title: 'Event name' }),
    where: conditionSchema.optional().meta({ title: 'Only when the event matches', 'x-waymark-scope': 'event' }),
  }),
  ports: nextPort,
  enrols: (config, input, ctx) =>
    input.kind === 'event' &&
    input.event.event === config.event &&
    (config.where === undefined ||
      evaluateCondition(config.where, { attributes: input.event.properties, now: ctx.now })),
  execute: enter,
});

/** Enrols a contact when it enters a segment. */
export const segmentTrigger = defineNode({
  type: 'trigger.segment',
  version: 1,
  category: 'trigger',
  title: 'When a contact enters a segment',
  description: 'Starts the journey for contacts as they join a segment.',
  icon: 'users',
  config: z.strictObject({ segment: nameSchema.meta({ title: 'Segment', 'x-waymark-widget': 'segment' }) }),
  ports: nextPort,
  enrols: (config, input) =>
    input.kind === 'event' &&
    input.event.event === 'segment.entered' &&
    input.event.properties.segment === config.segment,
  execute: enter,
});

/** Enrols contacts only through the API. */
export const manualTrigger = defineNode({
  type: 'trigger.manual',
  version: 1,
  category: 'trigger',
  title: 'Manual enrolment',
  description: 'Starts the journey for contacts enrolled through the API or by hand.',
  icon: 'hand',
  config: z.strictObject({}),
  ports: nextPort,
  enrols: (_config, input) => input.kind === 'manual',
  execute: enter,
});

const dateConfig = z.strictObject({
  attribute: nameSchema.meta({ title: 'Date attribute' }),
  offset: signedDurationSchema.default('P0D').meta({ title: 'Offset (negative is before)' }),
  at: timeOfDaySchema.default('09:00').meta({ title: 'At local time' }),
  repeat: z.enum(['never', 'yearly']).default('never').meta({ title: 'Repeat' }),
});

function dateOf(value: unknown, zone: string): string | null {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const t = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(t) ? localDate(t, zone) : null;
}

/** Enrols a contact on a date attribute plus an offset, at a local time (e.g. a birthday or renewal). */
export const dateTrigger = defineNode({
  type: 'trigger.date',
  version: 1,
  category: 'trigger',
  title: 'On a date',
  description: "Starts the journey relative to a date on the contact, such as a birthday or a plan's renewal.",
  icon: 'calendar',
  config: dateConfig,
  ports: nextPort,
  enrols: (_config, input) => input.kind === 'date',
  nextEnrolment: (config, contact, after, zone) => {
    const date = dateOf(contact.attributes[config.attribute], zone);
    const offset = parseDuration(config.offset);
    const time = parseTimeOfDay(config.at);
    if (!date || !offset || !time) return null;
    const at = (d: string) => {
      const base = atLocalTime(d, time, zone);
      return base === null ? null : addDuration(base, offset, zone);
    };
    if (config.repeat === 'never') {
      const t = at(date);
      return t !== null && t > after ? t : null;
    }
    const firstYear = Number(localDate(after, zone).slice(0, 4)) - 1;
    for (let year = firstYear; year <= firstYear + 2; year++) {
      const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
      const t = at(leap ? `${year}${date.slice(4)}` : `${year}${date.slice(4)}`.replace(/-02-29$/, '-02-28'));
      if (t !== null && t > after) return t;
    }
    return null;
  },
  execute: enter,
});
