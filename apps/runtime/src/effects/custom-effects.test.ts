import { defineEffect } from '@waymark/nodes';
import { describe, expect, it } from 'vitest';
import { type CustomEffectJob, runCustomEffect } from './custom-effects.ts';

const job = (
  execute: CustomEffectJob['executor']['execute'],
  overrides: Partial<CustomEffectJob> = {},
): CustomEffectJob => ({
  executor: defineEffect({ kind: 'acme.ping', secrets: ['token'], timeoutMs: 50, execute }),
  effect: { kind: 'acme.ping' },
  key: 'run:node:1',
  contact: { id: 'c1', email: null, attributes: {} },
  workspaceId: 'ws',
  secrets: { token: 'tok-123456' },
  ...overrides,
});

const noFetch: typeof globalThis.fetch = async () => {
  throw new Error('no network here');
};

describe('runCustomEffect', () => {
  it('returns what the executor reports', async () => {
    expect(
      await runCustomEffect(
        job(async () => ({ ok: true, output: { n: 1 } })),
        noFetch,
      ),
    ).toEqual({ ok: true, output: { n: 1 } });
  });

  it('fails with a temporary effect_timeout at the time limit even when the executor ignores its signal', async () => {
    let signal: AbortSignal | undefined;
    const started = Date.now();
    const r = await runCustomEffect(
      job(async (_e, ctx) => {
        signal = ctx.signal;
        return new Promise(() => {});
      }),
      noFetch,
    );
    expect(r).toEqual({
      ok: false,
      error: { code: 'effect_timeout', message: 'acme.ping did not finish within 50 ms', retryable: true },
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(signal?.aborted).toBe(true);
  });

  it('turns a throw into a coded failure', async () => {
    const r = await runCustomEffect(
      job(async () => {
        throw new Error('socket hang up');
      }),
      noFetch,
    );
    expect(r).toEqual({ ok: false, error: { code: 'effect_failed', message: 'socket hang up' } });
  });

  it('never returns a secret value, even when the executor puts it in a message or output', async () => {
    const leaky = await runCustomEffect(
      job(async (_e, { secrets }) => {
        throw new Error(`POST https://hooks.example/${secrets.token} failed`);
      }),
      noFetch,
    );
    expect(leaky).toEqual({
      ok: false,
      error: { code: 'effect_failed', message: 'POST https://hooks.example/[secret] failed' },
    });
    const output = await runCustomEffect(
      job(async (_e, { secrets }) => ({ ok: true, output: { echoed: [secrets.token], url: `x?t=${secrets.token}` } })),
      noFetch,
    );
    expect(output).toEqual({ ok: true, output: { echoed: ['[secret]'], url: 'x?t=[secret]' } });
  });

  it('hands the executor its fetch', async () => {
    const r = await runCustomEffect(
      job(async (_e, { fetch }) => {
        await fetch('https://example.test');
        return { ok: true };
      }),
      noFetch,
    );
    expect(r).toEqual({ ok: false, error: { code: 'effect_failed', message: 'no network here' } });
  });
});
