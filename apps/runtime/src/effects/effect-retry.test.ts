import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { decideEffect } from './effect-retry.ts';
import { callWebhook } from './webhook.ts';

const temporary = { ok: false as const, error: { code: 'crm_busy', message: 'busy', retryable: true } };
const permanent = { ok: false as const, error: { code: 'crm_rejected', message: 'no such list' } };

describe('decideEffect', () => {
  it('reports a success as it is', () => {
    expect(decideEffect({ ok: true, output: { n: 1 } }, 2, undefined, 0.5)).toEqual({
      kind: 'report',
      result: { ok: true, output: { n: 1 } },
      gaveUp: false,
    });
  });

  it('retries a temporary failure while attempts remain, doubling the wait with jitter', () => {
    const policy = { maxAttempts: 4, initialDelayMs: 1_000, maxDelayMs: 3_000 };
    const waits = [1, 2, 3].map((attempt) => [0, 0.999].map((r) => decideEffect(temporary, attempt, policy, r)));
    expect(waits.map((pair) => pair.map((d) => (d.kind === 'retry' ? d.delayMs : d.kind)))).toEqual([
      [500, 1_000],
      [1_000, 1_999],
      [1_500, 2_999],
    ]);
    expect(decideEffect(temporary, 4, policy, 0)).toEqual({
      kind: 'report',
      result: {
        ok: false,
        error: { code: 'crm_busy', message: 'busy (gave up after 4 attempts)', retryable: true, attempts: 4 },
      },
      gaveUp: true,
    });
  });

  it('uses 3 attempts by default and reports a permanent failure at once with its attempt count', () => {
    expect(decideEffect(temporary, 2, undefined, 0).kind).toBe('retry');
    expect(decideEffect(temporary, 3, undefined, 0).kind).toBe('report');
    expect(decideEffect(permanent, 1, undefined, 0)).toEqual({
      kind: 'report',
      result: { ok: false, error: { ...permanent.error, attempts: 1 } },
      gaveUp: false,
    });
  });
});

describe('webhook failures', () => {
  it('marks 5xx, 429 and refused connections temporary, and other refusals permanent', async () => {
    const server = createServer((req, res) => res.writeHead(Number(req.url?.slice(1))).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const call = (url: string) =>
      callWebhook({ url, method: 'POST' }, { contact: {} }, { allowPrivate: true, timeoutMs: 2_000 });
    try {
      expect((await call(`${base}/503`)).error).toMatchObject({ code: 'http_status', retryable: true });
      expect((await call(`${base}/429`)).error).toMatchObject({ code: 'http_status', retryable: true });
      expect((await call(`${base}/404`)).error).toEqual({ code: 'http_status', message: 'the endpoint answered 404' });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    // Nothing listens on the port any more.
    expect((await call(`${base}/200`)).error).toMatchObject({
      code: expect.stringMatching(/^ECONN(REFUSED|RESET)$/),
      retryable: true,
    });
  });
});
