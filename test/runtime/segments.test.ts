import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, type DatabaseKind, eventually, startTestRuntime, type TestRuntime } from '../support/runtime.ts';

const kinds: DatabaseKind[] = ['pglite', 'postgres'];

describe.each(kinds)('segments on %s', (kind) => {
  const skip = backend(kind).skip;
  let t: TestRuntime;

  beforeAll(async () => {
    if (!skip) t = await startTestRuntime(kind);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it.skipIf(skip)('previews who matches attribute and event-window rules before saving, with a sample', async () => {
    await t.api('POST', '/v1/contacts', {
      contacts: [
        { id: 'a', email: 'a@example.com', attributes: { country: 'PL', plan: 'pro' } },
        { id: 'b', email: 'b@example.com', attributes: { country: 'PL', plan: 'free' } },
        { id: 'c', email: 'c@example.com', attributes: { country: 'DE', plan: 'pro' } },
      ],
    });
    await t.api('POST', '/v1/events', {
      events: [
        { contactId: 'a', event: 'purchase' },
        { contactId: 'a', event: 'purchase' },
        { contactId: 'c', event: 'purchase' },
      ],
    });
    const twice = {
      all: [
        { attribute: 'country', op: 'eq', value: 'PL' },
        { event: 'purchase', count: { op: 'gte', value: 2 }, within: 'P30D' },
      ],
    };
    const preview = await eventually(async () => {
      const r = await t.api<{ count: number; scanned: number; sample: { id: string }[] }>(
        'POST',
        '/v1/segments/preview',
        { condition: twice },
      );
      return r.body.count === 1 ? r.body : undefined;
    });
    expect(preview).toEqual({ count: 1, scanned: 3, sample: [{ id: 'a', email: 'a@example.com' }] });
    const pro = await t.api<{ count: number }>('POST', '/v1/segments/preview', {
      condition: { attribute: 'plan', op: 'eq', value: 'pro' },
    });
    expect(pro.body.count).toBe(2);

    expect(
      (await t.api('POST', '/v1/segments', { id: 'pl-buyers', name: 'PL repeat buyers', condition: twice })).status,
    ).toBe(201);
    const saved = await t.api<{ name: string; count: number }>('GET', '/v1/segments/pl-buyers');
    expect(saved.body).toMatchObject({ name: 'PL repeat buyers', count: 1 });
    const bad = await t.api<{ error: { message: string } }>('POST', '/v1/segments', {
      id: 'x',
      name: 'X',
      condition: { attribute: 'plan', op: 'like' },
    });
    expect(bad.status).toBe(400);
    // The error names the deepest field that is wrong, not the whole condition.
    expect(bad.body.error.message).toBe('condition.op: must be one of eq, neq, gt, gte, lt, lte, contains, in, exists');
    const nested = await t.api<{ error: { message: string } }>('POST', '/v1/segments/preview', {
      condition: {
        all: [
          { attribute: 'plan', op: 'eq', value: 'pro' },
          { event: 'purchase', within: 'a month' },
        ],
      },
    });
    expect(nested.status).toBe(400);
    expect(nested.body.error.message).toBe('condition.all.1.within: must be an ISO 8601 duration such as PT1H or P3D');
    expect(nested.body.error.message).not.toContain('Invalid input');
  });
});
