import { defineEffect, temporaryFailure } from '@waymark/nodes';
import { z } from 'zod';
import { fillMergeTags } from './merge-tags.ts';

/** The effect kind the Slack node asks for and this package performs. */
export const slackEffectKind = 'acme.slack';
/** The workspace secret holding the Slack incoming-webhook URL (set with `PUT /v1/secrets/slackWebhookUrl`). */
export const slackWebhookSecret = 'slackWebhookUrl';

/** A Slack message to post: the channel, the text with merge tags, and an optional mention. */
export const slackEffectSchema = z.looseObject({
  kind: z.literal(slackEffectKind),
  channel: z.string().min(1),
  text: z.string().min(1),
  mention: z.enum(['here', 'channel']).optional(),
});
/** A Slack message to post. */
export type SlackEffect = z.infer<typeof slackEffectSchema>;

/**
 * Posts the message to the workspace's Slack incoming webhook. Merge tags are filled here, where the
 * contact's email is known; the webhook URL is a secret and never appears in the journey or in results.
 */
export const slackExecutor = defineEffect<SlackEffect>({
  kind: slackEffectKind,
  secrets: [slackWebhookSecret],
  timeoutMs: 5_000,
  // Slack's outages are short: 4 attempts, 5 s, 10 s and 20 s apart (each less up to half, for jitter).
  retry: { maxAttempts: 4, initialDelayMs: 5_000 },
  schema: slackEffectSchema,
  async execute(effect, { secrets, fetch, signal, key, contact }) {
    const text = `${effect.mention ? `<!${effect.mention}> ` : ''}${fillMergeTags(effect.text, contact)}`;
    const res = await fetch(secrets[slackWebhookSecret] as string, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ channel: effect.channel, text }),
      signal,
    });
    if (res.ok) return { ok: true, output: { status: res.status } };
    // Slack answers errors as a short text code such as `channel_not_found` or `invalid_token`.
    const reason = (await res.text().catch(() => '')).slice(0, 200);
    const message = `Slack answered ${res.status}${reason ? `: ${reason}` : ''}`;
    // Rate limits and outages pass: the runtime posts again later (same idempotency key), per `retry`.
    if (res.status === 429 || res.status >= 500) return temporaryFailure('slack_unavailable', message);
    return { ok: false, error: { code: 'slack_rejected', message } };
  },
});
