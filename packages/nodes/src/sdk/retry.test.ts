import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WaymarkError } from '../errors.ts';
import { defineEffect, type EffectExecutorContext, performEffect, temporaryFailure } from './define-effect.ts';
import { defineNode, nextPort } from './define-node.ts';
import { NodeRegistry } from './registry.ts';
import {
  defaultNodeRetryPolicy,
  isRetryable,
  RetryableError,
  resolveRetryPolicy,
  retryDelayMs,
  retryPolicyProblems,
} from './retry.ts';

const ctx: EffectExecutorContext = {
  secrets: {},
  fetch: async () => new Response('ok'),
  signal: new AbortController().signal,
  key: 'run-1:n:1',
  contact: { id: 'c1', email: null, attributes: {} },
  workspaceId: 'ws',
};

describe('retry policies', () => {
  it('fill what an author leaves out from the defaults', () => {
    expect(resolveRetryPolicy(undefined, defaultNodeRetryPolicy)).toEqual({
      maxAttempts: 3,
      initialDelayMs: 30_000,
      maxDelayMs: 600_000,
    });
    expect(resolveRetryPolicy({ maxAttempts: 5 }, defaultNodeRetryPolicy).maxAttempts).toBe(5);
  });

  it('double the wait per attempt up to the maximum, with jitter in the upper half', () => {
    const p = { maxAttempts: 9, initialDelayMs: 100, maxDelayMs: 350 };
    expect([1, 2, 3, 4].map((a) => retryDelayMs(p, a, 0))).toEqual([50, 100, 175, 175]);
    expect([1, 2, 3, 4].map((a) => retryDelayMs(p, a, 0.9999))).toEqual([100, 200, 350, 350]);
  });

  it.each([
    [{ maxAttempts: 0 }, 'retry.maxAttempts must be a whole number from 1 to 20'],
    [{ maxAttempts: 2.5 }, 'retry.maxAttempts must be a whole number from 1 to 20'],
    [{ initialDelayMs: -1 }, 'retry.initialDelayMs must be a whole number from 1 to 86400000'],
    [{ attempts: 3 }, 'retry.attempts is not a retry setting (maxAttempts, initialDelayMs, maxDelayMs)'],
    [5, 'retry must be { maxAttempts?, initialDelayMs?, maxDelayMs? }'],
  ])('refuses %j with a message naming the field', (policy, message) => {
    expect(retryPolicyProblems(policy)).toEqual([message]);
  });

  it('are checked when a package registers its node types and executors', () => {
    const node = defineNode({
      type: 'acme.n',
      version: 1,
      category: 'action',
      title: 'N',
      description: '',
      icon: 'bell',
      config: z.object({}),
      ports: nextPort,
      retry: { maxAttempts: 50 },
      execute: () => ({ go: 'next' }),
    });
    expect(() => new NodeRegistry().register([node], '@acme/p')).toThrow(
      '@acme/p: node type acme.n: retry.maxAttempts must be a whole number from 1 to 20',
    );
    const executor = defineEffect({ kind: 'acme.e', retry: { maxDelayMs: 0 }, execute: async () => ({ ok: true }) });
    expect(() => new NodeRegistry().register([], '@acme/p', [executor])).toThrow(
      '@acme/p: effect executor acme.e: retry.maxDelayMs must be a whole number from 1 to 86400000',
    );
  });
});

describe('node icons', () => {
  const withIcon = (icon: string) =>
    defineNode({
      type: 'acme.icon',
      version: 1,
      category: 'action',
      title: 'I',
      description: '',
      icon,
      config: z.object({}),
      ports: nextPort,
      execute: () => ({ go: 'next' }),
    });

  it('accept names and SVG data URIs, and refuse other URIs', () => {
    expect(new NodeRegistry().register([withIcon('ticket-percent')], 'p').has('acme.icon')).toBe(true);
    const svg = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg"/>')}`;
    expect(new NodeRegistry().register([withIcon(svg)], 'p').describe()[0]?.icon).toBe(svg);
    expect(() => new NodeRegistry().register([withIcon('data:text/html,<script>')], 'p')).toThrow(/SVG data URI/);
    expect(() => new NodeRegistry().register([withIcon('https://cdn.test/i.svg')], 'p')).toThrow(/icon name/);
  });
});

describe('temporary failures', () => {
  it('are RetryableErrors (from any copy of the SDK), WaymarkErrors marked so, and network hiccups', () => {
    expect(isRetryable(new RetryableError('busy', 'x'))).toBe(true);
    expect(isRetryable({ name: 'RetryableError', retryable: true })).toBe(true);
    expect(isRetryable(new WaymarkError('node_failed', 'x', { retryable: true }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }))).toBe(true);
    expect(isRetryable(new Error('bug'))).toBe(false);
    expect(isRetryable(new WaymarkError('node_timeout', 'x'))).toBe(false);
  });

  it('reach the runtime from an executor as a returned temporaryFailure or a thrown RetryableError', async () => {
    const returns = defineEffect({ kind: 'acme.r', execute: async () => temporaryFailure('crm_busy', 'try later') });
    expect(await performEffect(returns, {}, ctx)).toEqual({
      ok: false,
      error: { code: 'crm_busy', message: 'try later', retryable: true },
    });
    const throws = defineEffect({
      kind: 'acme.t',
      execute: async () => {
        throw new RetryableError('crm_busy', 'try later');
      },
    });
    expect(await performEffect(throws, {}, ctx)).toEqual({
      ok: false,
      error: { code: 'crm_busy', message: 'try later', retryable: true },
    });
    const bug = defineEffect({
      kind: 'acme.b',
      execute: async () => {
        throw new Error('undefined is not a function');
      },
    });
    expect(await performEffect(bug, {}, ctx)).toEqual({
      ok: false,
      error: { code: 'effect_failed', message: 'undefined is not a function' },
    });
  });
});
