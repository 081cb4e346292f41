import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEffect, type EffectExecutorContext, performEffect } from './define-effect.ts';

interface Ping {
  kind: 'acme.ping';
  target: string;
  [property: string]: unknown;
}

const ctx = (overrides: Partial<EffectExecutorContext> = {}): EffectExecutorContext => ({
  secrets: { token: 's3cret', other: 'not-declared' },
  fetch: async () => new Response('ok'),
  signal: new AbortController().signal,
  key: 'run-1:ping:1',
  contact: { id: 'c1', email: 'ann@example.test', attributes: {} },
  workspaceId: 'ws',
  ...overrides,
});

describe('defineEffect', () => {
  it('freezes the executor and defaults secrets to none', () => {
    const e = defineEffect<Ping>({ kind: 'acme.ping', execute: async () => ({ ok: true }) });
    expect(Object.isFrozen(e)).toBe(true);
    expect(e.secrets).toEqual([]);
  });
});

describe('performEffect', () => {
  const ping = defineEffect<Ping>({
    kind: 'acme.ping',
    secrets: ['token'],
    schema: z.looseObject({ kind: z.literal('acme.ping'), target: z.string().min(1) }) as z.ZodType<Ping>,
    execute: async (effect, { secrets, key }) => ({
      ok: true,
      output: { target: effect.target, seen: Object.keys(secrets), key },
    }),
  });

  it('hands the executor only the secrets it declared, with the key', async () => {
    expect(await performEffect(ping, { kind: 'acme.ping', target: 'a' }, ctx())).toEqual({
      ok: true,
      output: { target: 'a', seen: ['token'], key: 'run-1:ping:1' },
    });
  });

  it('fails with missing_secret, naming the secret, without calling the executor', async () => {
    let called = false;
    const e = defineEffect<Ping>({
      kind: 'acme.ping',
      secrets: ['token', 'webhookUrl'],
      execute: async () => {
        called = true;
        return { ok: true };
      },
    });
    const r = await performEffect(e, { kind: 'acme.ping', target: 'a' }, ctx());
    expect(r).toEqual({ ok: false, error: { code: 'missing_secret', message: expect.stringContaining('webhookUrl') } });
    expect(called).toBe(false);
    expect(JSON.stringify(r)).not.toContain('s3cret');
  });

  it('treats an empty secret as missing', async () => {
    const r = await performEffect(ping, { kind: 'acme.ping', target: 'a' }, ctx({ secrets: { token: '' } }));
    expect(r).toMatchObject({ ok: false, error: { code: 'missing_secret' } });
  });

  it('validates the effect with the schema and reports the field', async () => {
    const r = await performEffect(ping, { kind: 'acme.ping', target: '' }, ctx());
    expect(r).toEqual({ ok: false, error: { code: 'invalid_effect', message: expect.stringMatching(/target/) } });
  });

  it('turns a throw into effect_failed with its message', async () => {
    const e = defineEffect<Ping>({
      kind: 'acme.ping',
      execute: async () => {
        throw new Error('connection reset');
      },
    });
    expect(await performEffect(e, { kind: 'acme.ping' }, ctx())).toEqual({
      ok: false,
      error: { code: 'effect_failed', message: 'connection reset' },
    });
  });

  it('keeps the snake_case code of a thrown error, but not a system code', async () => {
    const thrower = (code: string) =>
      defineEffect<Ping>({
        kind: 'acme.ping',
        execute: async () => {
          throw Object.assign(new Error('refused'), { code });
        },
      });
    expect(await performEffect(thrower('address_blocked'), {}, ctx())).toMatchObject({
      error: { code: 'address_blocked', message: 'refused' },
    });
    expect(await performEffect(thrower('ECONNREFUSED'), {}, ctx())).toMatchObject({ error: { code: 'effect_failed' } });
  });

  it('reports effect_timeout when it threw after its signal was aborted', async () => {
    const controller = new AbortController();
    const e = defineEffect<Ping>({
      kind: 'acme.ping',
      execute: async (_effect, { signal }) => {
        controller.abort();
        signal.throwIfAborted();
        return { ok: true };
      },
    });
    const r = await performEffect(e, { kind: 'acme.ping' }, ctx({ signal: controller.signal }));
    expect(r).toMatchObject({ ok: false, error: { code: 'effect_timeout' } });
  });

  it('keeps a coded failure and replaces a malformed code', async () => {
    const coded = defineEffect<Ping>({
      kind: 'acme.ping',
      execute: async () => ({ ok: false, error: { code: 'rate_limited', message: 'slow down' } }),
    });
    expect(await performEffect(coded, {}, ctx())).toEqual({
      ok: false,
      error: { code: 'rate_limited', message: 'slow down' },
    });
    const odd = defineEffect<Ping>({
      kind: 'acme.ping',
      execute: async () => ({ ok: false, error: { code: 'Not A Code', message: 'x' } }),
    });
    expect(await performEffect(odd, {}, ctx())).toMatchObject({ error: { code: 'effect_failed' } });
  });

  it.each([
    { name: 'nothing', value: undefined },
    { name: 'a string', value: 'done' },
    { name: 'an object without ok', value: { output: 1 } },
  ])('reports invalid_result when the executor returns $name', async ({ value }) => {
    const e = defineEffect<Ping>({ kind: 'acme.ping', execute: async () => value as never });
    expect(await performEffect(e, {}, ctx())).toMatchObject({ ok: false, error: { code: 'invalid_result' } });
  });

  it('reports invalid_result for output that is not JSON or is too large', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const output of [cyclic, { big: 'x'.repeat(70_000) }]) {
      const e = defineEffect<Ping>({ kind: 'acme.ping', execute: async () => ({ ok: true, output }) });
      expect(await performEffect(e, {}, ctx())).toMatchObject({ ok: false, error: { code: 'invalid_result' } });
    }
  });

  it('passes output through JSON, so what the node sees is what the runtime stores', async () => {
    const e = defineEffect<Ping>({
      kind: 'acme.ping',
      execute: async () => ({ ok: true, output: { at: new Date(0), skip: undefined } }),
    });
    expect(await performEffect(e, {}, ctx())).toEqual({ ok: true, output: { at: '1970-01-01T00:00:00.000Z' } });
  });
});
