import { z } from 'zod';
import { WaymarkError } from '../../errors.ts';
import { thompsonPick } from '../../random/random.ts';
import { nameSchema } from '../../schema/primitives.ts';
import { defineNode, nextPort } from '../../sdk/define-node.ts';
import { awaitEffect, effectOutcome } from '../../sdk/effects.ts';
import type { EmailEffect, NodeContext, NodeResult } from '../../sdk/types.ts';
import { parseDuration, subtractDuration } from '../../time/duration.ts';
import { parseTimeOfDay, quietWindowEnd } from '../../time/zone.ts';

/** The subject variants an upstream AI node produced (or a reviewer edited), if any. */
export function subjectVariants(ctx: NodeContext): string[] | undefined {
  const reviewed = ctx.output('flow.approval') as { subjects?: unknown } | undefined;
  if (Array.isArray(reviewed?.subjects) && reviewed.subjects.length > 0) return reviewed.subjects.map(String);
  const generated = ctx.output('ai.generateSubject') as { variants?: unknown } | undefined;
  if (Array.isArray(generated?.variants) && generated.variants.length > 0) return generated.variants.map(String);
  return undefined;
}

function overCap(ctx: NodeContext): boolean {
  const cap = ctx.settings.frequencyCap;
  if (!cap) return false;
  const per = parseDuration(cap.per);
  if (!per) return false;
  const since = subtractDuration(ctx.now, per, ctx.timezone);
  let n = 0;
  for (const t of ctx.emailsSent) if (t > since) n++;
  return n >= cap.max;
}

function quietUntil(ctx: NodeContext): number | null {
  const q = ctx.settings.quietHours;
  if (!q) return null;
  const start = parseTimeOfDay(q.start);
  const end = parseTimeOfDay(q.end);
  return start && end ? quietWindowEnd(ctx.now, start, end, ctx.timezone) : null;
}

const sendEmailConfig = z.strictObject({
  template: nameSchema.meta({ title: 'Template', 'x-waymark-widget': 'template' }),
  subject: z
    .string()
    .min(1)
    .max(300)
    .optional()
    .meta({ title: 'Subject (overrides the template)', 'x-waymark-merge-tags': true }),
  subjectFrom: z.enum(['ai']).optional().meta({ title: 'Subject from' }),
});

/** Sends an email, respecting suppression, quiet hours and the journey's frequency cap. */
export const sendEmailNode = defineNode({
  type: 'action.sendEmail',
  version: 1,
  category: 'action',
  title: 'Send email',
  description: 'Sends an email from a template.',
  icon: 'mail',
  config: sendEmailConfig,
  ports: nextPort,
  execute: (ctx, config): NodeResult => {
    if (ctx.contact.suppressed === true) return { go: 'next', skipped: 'suppressed' };
    if (ctx.wake.kind === 'enter') {
      const until = quietUntil(ctx);
      if (until !== null) return { wait: { until } };
    }
    if (overCap(ctx)) return { go: 'next', skipped: 'frequencyCap' };
    const effect: EmailEffect = { kind: 'email', template: config.template };
    if (config.subject !== undefined) effect.subject = config.subject;
    if (config.subjectFrom === 'ai') {
      const variants = subjectVariants(ctx);
      if (!variants)
        throw new WaymarkError('node_failed', 'subjectFrom is "ai" but no generated subjects reached this node');
      const stats = ctx.stats();
      const i = thompsonPick(
        variants.map((_, k) => stats[String(k)] ?? { trials: 0, successes: 0 }),
        ctx.random,
      );
      effect.subject = variants[i] as string;
      effect.variant = i;
    }
    return { go: 'next', effect };
  },
});

/** Sets or removes contact attributes. */
export const updateContactNode = defineNode({
  type: 'action.updateContact',
  version: 1,
  category: 'action',
  title: 'Update contact',
  description: 'Sets or clears attributes on the contact.',
  icon: 'user-pen',
  config: z
    .strictObject({
      set: z.record(z.string().min(1), z.unknown()).default({}).meta({ title: 'Set attributes' }),
      unset: z.array(z.string().min(1)).optional().meta({ title: 'Clear attributes' }),
    })
    .refine((c) => Object.keys(c.set).length > 0 || (c.unset?.length ?? 0) > 0, {
      path: ['set'],
      message: 'set or unset at least one attribute',
    }),
  ports: nextPort,
  execute: (_ctx, config) => ({
    go: 'next',
    effect:
      config.unset === undefined
        ? { kind: 'updateContact', set: config.set }
        : { kind: 'updateContact', set: config.set, unset: config.unset },
  }),
});

/** Calls an HTTP endpoint; leaves through `failed` when the call does not succeed. */
export const webhookNode = defineNode({
  type: 'action.webhook',
  version: 1,
  category: 'action',
  title: 'Webhook',
  description: 'Calls another system over HTTP.',
  icon: 'webhook',
  config: z.strictObject({
    url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).meta({ title: 'URL' }),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST').meta({ title: 'Method' }),
    headers: z.record(z.string().min(1), z.string()).optional().meta({ title: 'Headers' }),
    body: z
      .string()
      .max(100_000)
      .optional()
      .meta({ title: 'Body (merge tags allowed)', 'x-waymark-widget': 'merge-text' }),
  }),
  ports: [
    { id: 'next', label: 'Next' },
    { id: 'failed', label: 'Failed' },
  ],
  execute: (ctx, config): NodeResult => {
    if (ctx.wake.kind === 'enter') {
      const effect = { kind: 'webhook' as const, url: config.url, method: config.method };
      return awaitEffect({
        ...effect,
        ...(config.headers === undefined ? {} : { headers: config.headers }),
        ...(config.body === undefined ? {} : { body: config.body }),
      });
    }
    return { go: effectOutcome(ctx).ok ? 'next' : 'failed' };
  },
});
