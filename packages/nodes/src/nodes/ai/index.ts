import { z } from 'zod';
import { WaymarkError } from '../../errors.ts';
import { defineNode, nextPort } from '../../sdk/define-node.ts';
import { awaitEffect, effectOutcome } from '../../sdk/effects.ts';
import type { NodeResult, SentimentEffect } from '../../sdk/types.ts';
import { subjectVariants } from '../action/index.ts';

function failed(nodeId: string, outcome: ReturnType<typeof effectOutcome>): never {
  // A missing model keeps its own code so the canvas and stats say what to configure. Either may pass
  // (a model configured meanwhile, a busy model), so the step is tried again per the retry policy.
  const code = outcome.error?.code === 'model_unavailable' ? 'model_unavailable' : 'node_failed';
  throw new WaymarkError(code, `${nodeId}: ${outcome.error?.message || 'the model did not return a result'}`, {
    details: outcome.error,
    retryable: true,
  });
}

/** Writes subject-line variants from a brief with the configured model. */
export const generateSubjectNode = defineNode({
  type: 'ai.generateSubject',
  version: 1,
  category: 'ai',
  title: 'AI subject lines',
  description: 'Writes subject-line variants from a brief; a following email can test them against each other.',
  icon: 'sparkles',
  config: z.strictObject({
    brief: z.string().trim().min(3).max(500).meta({ title: 'Brief' }),
    variants: z.number().int().min(1).max(10).default(3).meta({ title: 'Variants' }),
    tone: z.string().max(40).optional().meta({ title: 'Tone' }),
    maxLength: z.number().int().min(10).max(200).optional().meta({ title: 'Maximum length' }),
  }),
  ports: nextPort,
  execute: (ctx, config): NodeResult => {
    if (ctx.wake.kind === 'enter')
      return awaitEffect({
        kind: 'generateSubject',
        brief: config.brief,
        variants: config.variants,
        ...(config.tone === undefined ? {} : { tone: config.tone }),
        ...(config.maxLength === undefined ? {} : { maxLength: config.maxLength }),
      });
    const outcome = effectOutcome(ctx);
    const variants = (outcome.output as { variants?: unknown } | undefined)?.variants;
    if (!outcome.ok || !Array.isArray(variants) || variants.length === 0) failed(ctx.node.id, outcome);
    return { go: 'next', output: outcome.output };
  },
});

/** Scores copy for sentiment and stops negative or off-tone copy. */
export const sentimentGuardNode = defineNode({
  type: 'ai.sentimentGuard',
  version: 1,
  category: 'ai',
  title: 'Sentiment check',
  description: 'Checks the tone of a subject, an email body or a text; copy scoring below the minimum goes to Fail.',
  icon: 'gauge',
  config: z
    .strictObject({
      source: z.enum(['subject', 'body', 'text']).meta({ title: 'Check' }),
      text: z.string().min(1).max(5000).optional().meta({ title: 'Text' }),
      minScore: z.number().min(-1).max(1).default(0).meta({ title: 'Minimum score (−1 to 1)' }),
    })
    .refine((c) => c.source !== 'text' || c.text !== undefined, {
      path: ['text'],
      message: 'text is required when source is text',
    }),
  ports: [
    { id: 'pass', label: 'Pass' },
    { id: 'fail', label: 'Fail' },
  ],
  execute: (ctx, config): NodeResult => {
    if (ctx.wake.kind === 'enter') {
      const effect: SentimentEffect = { kind: 'sentiment', source: config.source };
      if (config.source === 'text') effect.texts = [config.text as string];
      else {
        // The email this check guards is the one its Pass output leads to.
        const email = ctx.downstream('action.sendEmail', 'pass');
        const emailConfig = (email?.config ?? {}) as { template?: string; subject?: string };
        if (emailConfig.template !== undefined) effect.template = emailConfig.template;
        if (config.source === 'subject') {
          const texts = subjectVariants(ctx) ?? (emailConfig.subject === undefined ? undefined : [emailConfig.subject]);
          if (texts) effect.texts = texts;
        }
      }
      return awaitEffect(effect);
    }
    const outcome = effectOutcome(ctx);
    const scores = (outcome.output as { scores?: unknown } | undefined)?.scores;
    if (!outcome.ok || !Array.isArray(scores) || scores.length === 0) failed(ctx.node.id, outcome);
    return { go: (scores as number[]).every((s) => s >= config.minScore) ? 'pass' : 'fail', output: outcome.output };
  },
});
