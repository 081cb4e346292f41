import { z } from 'zod';
import { WaymarkError } from '../../errors.ts';
import { pickWeighted, thompsonPick } from '../../random/random.ts';
import { conditionSchema } from '../../schema/condition.ts';
import { nameSchema, positiveDurationSchema, timeOfDaySchema } from '../../schema/primitives.ts';
import { defineNode, nextPort } from '../../sdk/define-node.ts';
import type { NodeResult } from '../../sdk/types.ts';
import { addDuration, parseDuration } from '../../time/duration.ts';
import { nextTimeOfDay, parseTimeOfDay, weekdayNames } from '../../time/zone.ts';

function durationAfter(now: number, text: string, zone: string): number {
  const d = parseDuration(text);
  if (!d) throw new WaymarkError('invalid_input', `not a duration: ${text}`);
  return addDuration(now, d, zone);
}

/** Holds the contact for a fixed time. */
export const waitNode = defineNode({
  type: 'flow.wait',
  version: 1,
  category: 'flow',
  title: 'Wait',
  description: 'Waits for a while before the next step.',
  icon: 'hourglass',
  config: z.strictObject({ duration: positiveDurationSchema.meta({ title: 'Wait for' }) }),
  ports: nextPort,
  waits: true,
  execute: (ctx, config) =>
    ctx.wake.kind === 'enter'
      ? { wait: { until: durationAfter(ctx.now, config.duration, ctx.timezone) } }
      : { go: 'next' },
});

/** Holds the contact until a time of day, optionally on given weekdays. */
export const waitUntilNode = defineNode({
  type: 'flow.waitUntil',
  version: 1,
  category: 'flow',
  title: 'Wait until',
  description: "Waits until a time of day in the contact's time zone, optionally on chosen weekdays.",
  icon: 'clock',
  config: z.strictObject({
    time: timeOfDaySchema.meta({ title: 'Time of day' }),
    days: z
      .array(z.enum(weekdayNames as [string, ...string[]]))
      .optional()
      .meta({ title: 'On days' }),
  }),
  ports: nextPort,
  waits: true,
  execute: (ctx, config) => {
    if (ctx.wake.kind !== 'enter') return { go: 'next' };
    const time = parseTimeOfDay(config.time);
    if (!time) throw new WaymarkError('invalid_input', `not a time of day: ${config.time}`);
    // Strictly after now: a loop back into this node at the moment it fired waits for the next day.
    return { wait: { until: nextTimeOfDay(ctx.now + 1, time, ctx.timezone, config.days as never) } };
  },
});

/** Waits for an event, or gives up after a timeout. */
export const waitForEventNode = defineNode({
  type: 'flow.waitForEvent',
  version: 1,
  category: 'flow',
  title: 'Wait for event',
  description: 'Waits until the contact does something, or until the time runs out.',
  icon: 'bell',
  config: z.strictObject({
    event: nameSchema.meta({ title: 'Event name' }),
    where: conditionSchema.optional().meta({ title: 'Only when the event matches', 'x-waymark-scope': 'event' }),
    timeout: positiveDurationSchema.meta({ title: 'Give up after' }),
  }),
  ports: [
    { id: 'event', label: 'Event' },
    { id: 'timeout', label: 'Timeout' },
  ],
  waits: true,
  execute: (ctx, config) => {
    if (ctx.wake.kind === 'event') return { go: 'event' };
    if (ctx.wake.kind === 'timer') return { go: 'timeout' };
    const event = config.where === undefined ? { name: config.event } : { name: config.event, where: config.where };
    return { wait: { until: durationAfter(ctx.now, config.timeout, ctx.timezone), event } };
  },
});

/** Branches on a condition over the contact's attributes and events. */
export const conditionNode = defineNode({
  type: 'flow.condition',
  version: 1,
  category: 'flow',
  title: 'Condition',
  description: 'Sends the contact down Yes or No depending on its attributes or events.',
  icon: 'split',
  config: z.strictObject({ if: conditionSchema.meta({ title: 'If' }) }),
  ports: [
    { id: 'yes', label: 'Yes' },
    { id: 'no', label: 'No' },
  ],
  execute: (ctx, config) => ({ go: ctx.evaluate(config.if) ? 'yes' : 'no' }),
});

/** One output of a split or an A/B test; `noun` names it in the form ("Variant name", not "Port"). */
const branchSchemaOf = (noun: string) =>
  z.strictObject({
    port: z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,40}$/, 'must be letters, digits, _ or -')
      .meta({ title: `${noun} name` }),
    weight: z.number().meta({ title: 'Weight' }),
    label: z.string().max(80).optional(),
  });

function weightProblems(key: string, items: readonly { port: string; weight: number }[]) {
  const problems: { path: (string | number)[]; message: string; code?: 'invalid_weights' }[] = [];
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (!(item.weight > 0) || !Number.isFinite(item.weight))
      problems.push({ path: [key, i, 'weight'], message: 'weight must be a positive number', code: 'invalid_weights' });
    if (seen.has(item.port)) problems.push({ path: [key, i, 'port'], message: `port "${item.port}" is used twice` });
    seen.add(item.port);
  });
  return problems;
}

/** Sends each contact down one branch at random, in proportion to the weights; fixed per contact. */
export const splitNode = defineNode({
  type: 'flow.split',
  version: 1,
  category: 'flow',
  title: 'Random split',
  description: 'Divides contacts between branches by weight; a contact always gets the same branch.',
  icon: 'shuffle',
  config: z.strictObject({ branches: z.array(branchSchemaOf('Branch')).min(2).max(20).meta({ title: 'Branches' }) }),
  ports: { fromConfig: 'branches', idKey: 'port', labelKey: 'label' },
  check: (config) => weightProblems('branches', config.branches),
  execute: (ctx, config) => {
    const i = pickWeighted(
      config.branches.map((b) => b.weight),
      ctx.random(),
    );
    return { go: (config.branches[i] as { port: string }).port };
  },
});

/** An experiment: fixed weights, or a Thompson-sampling bandit that favours the winning variant. */
export const abTestNode = defineNode({
  type: 'flow.abTest',
  version: 1,
  category: 'flow',
  title: 'A/B test',
  description: 'Tests variants against each other; in bandit mode more contacts go to the variant that performs best.',
  icon: 'flask',
  config: z
    .strictObject({
      variants: z.array(branchSchemaOf('Variant')).min(2).max(10).meta({ title: 'Variants' }),
      mode: z.enum(['fixed', 'bandit']).default('fixed').meta({ title: 'Mode' }),
      metric: z.enum(['open', 'click', 'conversion']).default('open').meta({ title: 'Winning metric' }),
      conversionEvent: nameSchema.optional().meta({ title: 'Conversion event' }),
    })
    .refine((c) => c.metric !== 'conversion' || c.conversionEvent !== undefined, {
      path: ['conversionEvent'],
      message: 'conversionEvent is required when the metric is conversion',
    }),
  ports: { fromConfig: 'variants', idKey: 'port', labelKey: 'label' },
  check: (config) => weightProblems('variants', config.variants),
  execute: (ctx, config): NodeResult => {
    if (config.mode === 'fixed') {
      const i = pickWeighted(
        config.variants.map((v) => v.weight),
        ctx.random(),
      );
      const port = (config.variants[i] as { port: string }).port;
      return { go: port, output: { variant: port, metric: config.metric } };
    }
    const stats = ctx.stats();
    const arms = config.variants.map((v) => stats[v.port] ?? { trials: 0, successes: 0 });
    const port = (config.variants[thompsonPick(arms, ctx.random)] as { port: string }).port;
    // The output tells the runtime which variant to credit when the contact opens, clicks or converts.
    return { go: port, output: { variant: port, metric: config.metric } };
  },
});

/** Holds the run until a reviewer approves or rejects, or the timeout passes. */
export const approvalNode = defineNode({
  type: 'flow.approval',
  version: 1,
  category: 'flow',
  title: 'Human approval',
  description: 'Holds contacts until a reviewer approves or rejects the content before it goes out.',
  icon: 'user-check',
  config: z.strictObject({ timeout: positiveDurationSchema.optional().meta({ title: 'Give up after' }) }),
  ports: [
    { id: 'approved', label: 'Approved' },
    { id: 'rejected', label: 'Rejected' },
    { id: 'timeout', label: 'Timeout' },
  ],
  waits: true,
  execute: (ctx, config): NodeResult => {
    if (ctx.wake.kind === 'timer') return { go: 'timeout' };
    if (ctx.wake.kind === 'event') {
      const { decision, content } = ctx.wake.event.properties;
      if (decision !== 'approved' && decision !== 'rejected')
        throw new WaymarkError('invalid_input', 'approval.decided needs properties.decision "approved" or "rejected"');
      return content === undefined ? { go: decision } : { go: decision, output: content };
    }
    const event = { name: 'approval.decided', forThisNode: true };
    return config.timeout === undefined
      ? { wait: { event } }
      : { wait: { event, until: durationAfter(ctx.now, config.timeout, ctx.timezone) } };
  },
});

/** Ends the run. */
export const exitNode = defineNode({
  type: 'flow.exit',
  version: 1,
  category: 'flow',
  title: 'Exit',
  description: 'Ends the journey for the contact.',
  icon: 'flag',
  config: z.strictObject({}),
  ports: [],
  execute: () => ({ exit: 'completed' }),
});
