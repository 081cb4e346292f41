import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type PreparedJourney, validateJourney } from '../compiler/validate.ts';
import { defaultRegistry } from '../default-registry.ts';
import { WaymarkError } from '../errors.ts';
import { defineNode, nextPort } from '../sdk/define-node.ts';
import { RetryableError, type RetryPolicy } from '../sdk/retry.ts';
import { advance } from './advance.ts';
import type { AdvanceResult, ContactJourneyState } from './state.ts';

/**
 * A node that fails as its config says: `failures` times with a temporary error (counted per contact
 * in `calls`, as a flaky dependency would), then succeeds; or with a permanent error, or a timeout.
 */
const calls = new Map<string, number>();
const flaky = (retry?: RetryPolicy) =>
  defineNode({
    type: 'test.flaky',
    version: 1,
    category: 'action',
    title: 'Flaky',
    description: 'fails as told',
    icon: 'bug',
    config: z.strictObject({ how: z.enum(['temporary', 'permanent', 'timeout']), failures: z.number().default(0) }),
    ports: nextPort,
    ...(retry ? { retry } : {}),
    execute: (ctx, config) => {
      const n = (calls.get(ctx.contact.id) ?? 0) + 1;
      calls.set(ctx.contact.id, n);
      if (config.how === 'permanent') throw new Error('the config names a list that does not exist');
      if (config.how === 'timeout')
        throw new WaymarkError('node_timeout', 'test.flaky@1 execute ran for more than 500 ms and was stopped');
      if (n <= config.failures) throw new RetryableError('crm_busy', `the CRM is busy (call ${n})`);
      return { go: 'next' };
    },
  });

function journey(how: string, failures: number, retry?: RetryPolicy): PreparedJourney {
  const registry = defaultRegistry().register([flaky(retry)], 'test');
  const v = validateJourney(
    {
      schemaVersion: 1,
      id: 'retry',
      nodes: [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'call', type: 'test.flaky', config: { how, failures } },
        { id: 'end', type: 'flow.exit', config: {} },
      ],
      edges: [
        { from: 'start', to: 'call' },
        { from: 'call', to: 'end' },
      ],
    },
    registry,
  );
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return v.journey;
}

/** Enrols `contact` at time 0, then fires the timer at each retry time until the run is gone or waits. */
function drive(j: PreparedJourney, contact: string): AdvanceResult[] {
  const results: AdvanceResult[] = [];
  let state: ContactJourneyState | undefined;
  let now = 0;
  let input: Parameters<typeof advance>[2] = { kind: 'manual' };
  for (let i = 0; i < 10; i++) {
    const r = advance(j, state, input, { now, contact: { id: contact, attributes: {} } });
    results.push(r);
    state = r.state;
    const retryAt = r.state.runs[0]?.failed?.retryAt;
    if (retryAt === undefined) return results;
    now = retryAt;
    input = { kind: 'timer' };
  }
  throw new Error('still retrying after 10 advances');
}

const errors = (results: AdvanceResult[]) => results.flatMap((r) => r.steps.filter((s) => s.error).map((s) => s.error));

describe('retries of failed node steps', () => {
  it('holds a run after a temporary failure and completes it on the third attempt', () => {
    const results = drive(journey('temporary', 2), 'ann');
    expect(errors(results)).toEqual([
      { code: 'crm_busy', message: 'the CRM is busy (call 1)', attempt: 1, retryAt: expect.any(Number) },
      { code: 'crm_busy', message: 'the CRM is busy (call 2)', attempt: 2, retryAt: expect.any(Number) },
    ]);
    const last = results.at(-1) as AdvanceResult;
    expect(last.steps.map((s) => s.node)).toEqual(['call', 'end']);
    expect(last.done).toBe(true);
  });

  it('waits longer before each attempt, with jitter within the doubled delay, and no retry before the time', () => {
    const results = drive(journey('temporary', 2, { initialDelayMs: 1_000, maxAttempts: 3 }), 'bob');
    const [first, second] = errors(results).map((e) => e?.retryAt as number);
    expect(first).toBeGreaterThanOrEqual(500);
    expect(first).toBeLessThanOrEqual(1_000);
    expect((second as number) - (first as number)).toBeGreaterThanOrEqual(1_000);
    expect((second as number) - (first as number)).toBeLessThanOrEqual(2_000);
    // A timer before the retry time (another run's, say) leaves the failed run alone.
    const held = results[0] as AdvanceResult;
    const early = advance(
      journey('temporary', 0),
      held.state,
      { kind: 'timer' },
      { now: 10, contact: { id: 'bob', attributes: {} } },
    );
    expect(early.steps).toEqual([]);
    expect(early.state.runs[0]?.failed?.attempts).toBe(1);
  });

  it('fails a permanent error at once and ends only that run', () => {
    const results = drive(journey('permanent', 0), 'cid');
    expect(results).toHaveLength(1);
    expect(errors(results)).toEqual([
      { code: 'node_failed', message: 'the config names a list that does not exist', attempt: 1 },
    ]);
    expect(results[0]?.state.runs).toEqual([]);
    expect(results[0]?.state.lastExitAt).toBe(0);
  });

  it('retries a timeout and gives up with node_timeout after the node type’s maximum of attempts', () => {
    const results = drive(journey('timeout', 0, { maxAttempts: 4, initialDelayMs: 100 }), 'dee');
    const seen = errors(results);
    expect(seen.map((e) => [e?.code, e?.attempt, e?.retryAt !== undefined])).toEqual([
      ['node_timeout', 1, true],
      ['node_timeout', 2, true],
      ['node_timeout', 3, true],
      ['node_timeout', 4, false],
    ]);
    expect(seen.at(-1)?.message).toMatch(/was stopped \(gave up after 4 attempts\)$/);
    expect(results.at(-1)?.done).toBe(true);
  });
});
