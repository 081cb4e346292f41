import { runEffect } from '@waymark/nodes/testing';
import { describe, expect, it } from 'vitest';
import { slackExecutor } from './slack-effect.ts';

const webhook = 'https://hooks.slack.test/services/T000/B000/XXXX';

/** A fetch that records requests and answers with `status` and `body`. */
function slack(status = 200, body = 'ok') {
  const calls: { url: string; method: string; headers: Headers; json: unknown }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const req = new Request(input, init);
    calls.push({ url: req.url, method: req.method, headers: req.headers, json: await req.json() });
    return new Response(body, { status });
  };
  return { calls, fetch };
}

const contact = { id: 'ann', email: 'ann@example.test', attributes: { first_name: 'Ann' } };

describe('the acme.slack executor', () => {
  it('posts the message with merge tags filled and the mention first, to the secret webhook', async () => {
    const s = slack();
    const r = await runEffect(
      slackExecutor,
      {
        kind: 'acme.slack',
        channel: '#sales',
        text: 'New lead {{ contact.first_name }} <{{ contact.email }}>',
        mention: 'here',
      },
      { secrets: { slackWebhookUrl: webhook }, fetch: s.fetch, contact, key: 'ann:1:slack:1' },
    );
    expect(r).toEqual({ ok: true, output: { status: 200 } });
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]).toMatchObject({
      url: webhook,
      method: 'POST',
      json: { channel: '#sales', text: '<!here> New lead Ann <ann@example.test>' },
    });
    expect(s.calls[0]?.headers.get('idempotency-key')).toBe('ann:1:slack:1');
  });

  it('fails with missing_secret, and never calls Slack, when the webhook URL is not set', async () => {
    const s = slack();
    const r = await runEffect(slackExecutor, { kind: 'acme.slack', channel: '#s', text: 'x' }, { fetch: s.fetch });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'missing_secret', message: expect.stringContaining('slackWebhookUrl') },
    });
    expect(s.calls).toEqual([]);
  });

  it.each([
    { status: 404, body: 'channel_not_found', code: 'slack_rejected', temporary: false },
    { status: 400, body: 'invalid_payload', code: 'slack_rejected', temporary: false },
    { status: 429, body: 'rate_limited', code: 'slack_unavailable', temporary: true },
    { status: 503, body: '', code: 'slack_unavailable', temporary: true },
  ])('reports Slack answering $status as $code (temporary: $temporary)', async ({ status, body, code, temporary }) => {
    const r = await runEffect(
      slackExecutor,
      { kind: 'acme.slack', channel: '#s', text: 'x' },
      { secrets: { slackWebhookUrl: webhook }, fetch: slack(status, body).fetch },
    );
    expect(r).toEqual({
      ok: false,
      error: {
        code,
        message: `Slack answered ${status}${body ? `: ${body}` : ''}`,
        ...(temporary ? { retryable: true } : {}),
      },
    });
    expect(JSON.stringify(r)).not.toContain(webhook);
  });

  it('refuses an effect that is not a Slack message', async () => {
    const r = await runEffect(
      slackExecutor,
      { kind: 'acme.slack', channel: '#s' },
      { secrets: { slackWebhookUrl: webhook } },
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_effect', message: expect.stringContaining('text') } });
  });

  it('reports effect_timeout when its time limit aborts the request', async () => {
    const controller = new AbortController();
    const hanging: typeof globalThis.fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        controller.abort(new Error('time limit'));
      });
    const r = await runEffect(
      slackExecutor,
      { kind: 'acme.slack', channel: '#s', text: 'x' },
      { secrets: { slackWebhookUrl: webhook }, fetch: hanging, signal: controller.signal },
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'effect_timeout' } });
  });
});
