import {
  awaitEffect,
  defineNode,
  effectOutcome,
  type NodeContext,
  type NodeResult,
  type PortSpec,
} from '@waymark/nodes';
import { z } from 'zod';
import { slackIcon } from './icon.ts';
import { mergeTagProblems } from './merge-tags.ts';
import { type SlackEffect, slackEffectKind } from './slack-effect.ts';

const channel = z
  .string()
  .regex(/^[#@]?[a-z0-9][a-z0-9._-]{0,79}$/, 'must be a Slack channel such as #sales')
  .meta({ title: 'Channel', examples: ['#sales'] });

const message = (title: string) =>
  z.string().min(1).max(3000).meta({
    title,
    description: 'Merge tags such as {{ contact.email }} are filled in',
    'x-waymark-widget': 'merge-text',
  });

const ports: PortSpec[] = [
  { id: 'next', label: 'Sent' },
  { id: 'failed', label: 'Failed' },
];

/** Asks for the post and waits for it; once woken by the outcome, leaves through `next` or `failed`. */
function postAndWait(ctx: NodeContext, effect: SlackEffect): NodeResult {
  if (ctx.wake.kind === 'enter') return awaitEffect(effect);
  const outcome = effectOutcome(ctx);
  return outcome.ok ? { go: 'next' } : { go: 'failed', output: { error: outcome.error } };
}

const textProblems = (field: string) => (config: Record<string, unknown>) =>
  mergeTagProblems(String(config[field] ?? '')).map((p) => ({ path: [field], message: p.message }));

/**
 * Version 1 of the Slack notification, kept so that journeys published with it keep running exactly
 * as they were: `message` is posted as written, without mentions.
 */
export const slackNotifyV1 = defineNode({
  type: 'acme.slackNotify',
  version: 1,
  category: 'action',
  title: 'Notify Slack',
  description: 'Posts a message to a Slack channel.',
  icon: slackIcon,
  config: z.strictObject({ channel, message: message('Message') }),
  ports,
  check: textProblems('message'),
  execute: (ctx, config) => postAndWait(ctx, { kind: slackEffectKind, channel: config.channel, text: config.message }),
});

/**
 * Version 2: the message field is `text`, and the post may mention `@here` or `@channel`.
 * Migrates version 1 configs (`message` becomes `text`, no mention).
 */
export const slackNotify = defineNode({
  type: 'acme.slackNotify',
  version: 2,
  category: 'action',
  title: 'Notify Slack',
  description: 'Posts a message to a Slack channel, optionally mentioning everyone there.',
  icon: slackIcon,
  config: z.strictObject({
    channel,
    text: message('Text'),
    mention: z.enum(['none', 'here', 'channel']).default('none').meta({ title: 'Mention' }),
  }),
  ports,
  check: textProblems('text'),
  migrate: {
    from: 1,
    up: (config) => {
      const v1 = config as { channel?: unknown; message?: unknown };
      return { channel: v1.channel, text: v1.message, mention: 'none' };
    },
  },
  execute: (ctx, config) =>
    postAndWait(ctx, {
      kind: slackEffectKind,
      channel: config.channel,
      text: config.text,
      ...(config.mention === 'none' ? {} : { mention: config.mention }),
    }),
});
