import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WaymarkError } from '../errors.ts';
import { conditionNode, eventTrigger, updateContactNode, waitNode, webhookNode } from '../nodes/index.ts';
import { defineEffect } from '../sdk/define-effect.ts';
import { defineNode, nextPort } from '../sdk/define-node.ts';
import { checkConfig, defaultTestNow, runEffect, runNode } from './index.ts';

const echo = defineNode({
  type: 'acme.echo',
  version: 1,
  category: 'action',
  title: 'Echo',
  description: 'Reports what it saw',
  icon: 'echo',
  config: z.strictObject({ mode: z.enum(['leave', 'throw', 'coded', 'exit', 'wait']).default('leave') }),
  ports: nextPort,
  execute: (ctx, config) => {
    if (config.mode === 'throw') throw new Error('boom');
    if (config.mode === 'coded') throw new WaymarkError('invalid_input', 'bad input');
    if (config.mode === 'exit') return { exit: 'completed' };
    if (config.mode === 'wait') return { wait: { until: ctx.now + 60_000 } };
    return {
      go: 'next',
      output: {
        now: ctx.now,
        trigger: ctx.trigger?.event,
        history: ctx.history.map((e) => e.event),
        random: ctx.random(),
        node: ctx.node.id,
      },
    };
  },
});

describe('runNode', () => {
  it('follows a built-in condition to the port the contact takes', () => {
    const config = { if: { attribute: 'plan', op: 'eq', value: 'pro' } };
    expect(runNode(conditionNode, { config, contact: { attributes: { plan: 'pro' } } }).port).toBe('yes');
    expect(runNode(conditionNode, { config, contact: { attributes: { plan: 'free' } } }).port).toBe('no');
  });

  it('returns the effects, their keys and the contact with attribute changes applied', () => {
    const r = runNode(updateContactNode, { config: { set: { vip: true } }, contact: { id: 'ann' } });
    expect(r).toMatchObject({ port: 'next', error: undefined, wait: undefined, exited: false, ran: true });
    expect(r.effects).toEqual([{ kind: 'updateContact', set: { vip: true } }]);
    expect(r.keys).toEqual(['ann:1:node:1']);
    expect(r.contact.attributes).toEqual({ vip: true });
  });

  it('reports what a waiting node waits for', () => {
    const r = runNode(waitNode, { config: { duration: 'PT1H' }, now: '2026-03-02T09:00:00Z' });
    expect(r.port).toBeUndefined();
    expect(r.wait).toEqual({ until: Date.parse('2026-03-02T10:00:00Z') });
  });

  it('runs a node that awaits its effect twice when given an outcome', () => {
    const config = { url: 'https://hooks.example.com/x' };
    const waiting = runNode(webhookNode, { config });
    expect(waiting.wait?.event).toMatchObject({ name: 'effect.result', forThisNode: true });
    expect(waiting.effects).toEqual([{ kind: 'webhook', url: config.url, method: 'POST' }]);
    expect(runNode(webhookNode, { config, outcome: { ok: true } })).toMatchObject({ port: 'next', wait: undefined });
    const failed = runNode(webhookNode, {
      config,
      outcome: { ok: false, error: { code: 'http_status', message: '500' } },
    });
    expect(failed.port).toBe('failed');
    expect(failed.effects).toHaveLength(1);
  });

  it('refuses an outcome for a node that does not await an effect', () => {
    expect(() => runNode(waitNode, { config: { duration: 'PT1H' }, outcome: { ok: true } })).toThrow(
      /did not wait for the result of an effect/,
    );
  });

  it('reports a throw as node_failed, and keeps the code of a WaymarkError', () => {
    expect(runNode(echo, { config: { mode: 'throw' } })).toMatchObject({
      port: undefined,
      wait: undefined,
      error: { code: 'node_failed', message: 'boom' },
    });
    expect(runNode(echo, { config: { mode: 'coded' } }).error).toEqual({
      code: 'invalid_input',
      message: 'bad input',
      attempt: 1,
    });
  });

  it('reports a node failure even when an outcome was given', () => {
    expect(runNode(echo, { config: { mode: 'throw' }, outcome: { ok: true } }).error?.code).toBe('node_failed');
  });

  it('reports an exit and a timer wait of a custom node', () => {
    expect(runNode(echo, { config: { mode: 'exit' } })).toMatchObject({ exited: true, port: undefined });
    expect(runNode(echo, { config: { mode: 'wait' }, now: 1_000 }).wait).toEqual({ until: 61_000 });
  });

  it('gives the node the trigger event, the history, the time and its output', () => {
    const r = runNode(echo, {
      event: { event: 'signed_up', properties: { plan: 'pro' } },
      history: [{ event: 'visited', at: defaultTestNow - 1_000 }],
      nodeId: 'greet',
    });
    expect(r.output).toMatchObject({
      now: defaultTestNow,
      trigger: 'signed_up',
      history: ['visited', 'signed_up'],
      node: 'greet',
    });
  });

  it('draws the same random numbers for the same contact and node, as the runtime does', () => {
    const a = runNode(echo, { contact: { id: 'ann' } }).output as { random: number };
    const again = runNode(echo, { contact: { id: 'ann' } }).output as { random: number };
    const b = runNode(echo, { contact: { id: 'bob' } }).output as { random: number };
    expect(a.random).toBe(again.random);
    expect(a.random).not.toBe(b.random);
  });

  it('runs a trigger itself and says whether it enrolled', () => {
    const config = { event: 'signed_up' };
    expect(runNode(eventTrigger, { config, event: { event: 'signed_up' } })).toMatchObject({ ran: true, port: 'next' });
    expect(runNode(eventTrigger, { config, event: { event: 'other' } })).toMatchObject({ ran: false, port: undefined });
  });

  it('throws invalid_config naming the field when the config does not validate', () => {
    let error: unknown;
    try {
      runNode(echo, { config: { mode: 'shout' } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WaymarkError);
    expect((error as WaymarkError).code).toBe('invalid_config');
    expect((error as WaymarkError).message).toMatch(/acme\.echo@1: mode: /);
  });

  it('runs one version of a type with other versions alongside', () => {
    const v2 = defineNode({ ...echo, version: 2, migrate: { from: 1, up: (c) => c } });
    expect(runNode(echo, { alongside: [v2] }).port).toBe('next');
    expect(runNode(v2, { alongside: [echo] }).port).toBe('next');
  });
});

describe('checkConfig', () => {
  it('returns [] for a valid config and every problem with its path otherwise', () => {
    expect(checkConfig(echo, { mode: 'exit' })).toEqual([]);
    expect(checkConfig(echo, { mode: 'shout', extra: 1 })).toEqual([
      expect.objectContaining({ code: 'invalid_config', nodeId: 'node', path: ['mode'] }),
      expect.objectContaining({ code: 'invalid_config', nodeId: 'node', path: [] }),
    ]);
  });
});

describe('runEffect', () => {
  const post = defineEffect<{ kind: 'acme.post'; text: string; [k: string]: unknown }>({
    kind: 'acme.post',
    secrets: ['url'],
    async execute(effect, { secrets, fetch, signal, key }) {
      const res = await fetch(secrets.url as string, { method: 'POST', body: effect.text, signal, headers: { key } });
      return res.ok
        ? { ok: true, output: { status: res.status } }
        : { ok: false, error: { code: 'http_status', message: `answered ${res.status}` } };
    },
  });

  it('performs the effect with the given fetch and secrets', async () => {
    const seen: { url: string; body: string; key: string | null }[] = [];
    const r = await runEffect(
      post,
      { kind: 'acme.post', text: 'hi' },
      {
        secrets: { url: 'https://example.test/hook' },
        fetch: async (input, init) => {
          const req = new Request(input, init);
          seen.push({ url: req.url, body: await req.text(), key: req.headers.get('key') });
          return new Response('ok', { status: 200 });
        },
      },
    );
    expect(r).toEqual({ ok: true, output: { status: 200 } });
    expect(seen).toEqual([{ url: 'https://example.test/hook', body: 'hi', key: 'run-1:node:0' }]);
  });

  it('has no network unless a fetch is given, and reports missing secrets', async () => {
    expect(await runEffect(post, { kind: 'acme.post', text: 'hi' }, { secrets: { url: 'https://x.test' } })).toEqual({
      ok: false,
      error: { code: 'effect_failed', message: expect.stringContaining('no fetch was given') },
    });
    expect(await runEffect(post, { kind: 'acme.post', text: 'hi' })).toMatchObject({
      error: { code: 'missing_secret' },
    });
  });
});
