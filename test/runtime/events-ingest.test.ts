/**
 * `POST /v1/events` under concurrent single-event requests, which the runtime writes in groups
 * (group commit): each request must still get exactly its own event ids, every event must be stored
 * once for the right contact, and a request that fails must fail alone.
 */
import { describe, expect, it } from 'vitest';
import { type DatabaseKind, useTestRuntime } from '../support/runtime.ts';

const kinds: DatabaseKind[] = ['pglite', 'postgres'];

type Accepted = { accepted: number; ids: number[]; replayed: boolean };
type Exported = { events: { id: number; name: string; properties: Record<string, unknown> }[] };

describe.each(kinds)('event ingestion under concurrent requests on %s', (kind) => {
  const suite = useTestRuntime(kind);

  it.skipIf(suite.skip)(
    'gives each of many concurrent requests its own ids for its own events',
    async () => {
      const t = suite.t;
      const n = 60;
      const responses = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          t.api<Accepted>(
            'POST',
            '/v1/events',
            i % 3 === 0
              ? // a small batch in the same stream of requests
                { events: [0, 1].map((k) => ({ contactId: `k${i}`, event: 'viewed', properties: { i, k } })) }
              : { contactId: `k${i}`, event: 'viewed', properties: { i, k: 0 } },
          ),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(n).fill(202));
      const all = responses.flatMap((r) => r.body.ids);
      expect(new Set(all).size).toBe(all.length);
      for (let i = 0; i < n; i++) {
        const { body } = responses[i] as { body: Accepted };
        expect(body.accepted).toBe(i % 3 === 0 ? 2 : 1);
        const exported = await t.api<Exported>('GET', `/v1/contacts/k${i}/export`);
        const stored = exported.body.events.map((e) => ({ id: Number(e.id), name: e.name, props: e.properties }));
        expect(stored.sort((a, b) => a.id - b.id)).toEqual(
          body.ids.map((id, k) => ({ id, name: 'viewed', props: { i, k } })),
        );
      }
    },
    30_000,
  );

  it.skipIf(suite.skip)(
    'fails only the request that conflicts, not the others written with it',
    async () => {
      const t = suite.t;
      expect((await t.api('POST', '/v1/contacts', { id: 'owner', email: 'taken@example.com' })).status).toBeLessThan(
        300,
      );
      const responses = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          t.api<Accepted & { error?: { code: string; message: string } }>('POST', '/v1/events', {
            contactId: `m${i}`,
            // request 17 claims an address that belongs to another contact
            email: i === 17 ? 'taken@example.com' : `m${i}@example.com`,
            event: 'signed_up',
          }),
        ),
      );
      responses.forEach((r, i) => {
        if (i === 17) {
          expect(r.status).toBe(409);
          expect(r.body.error?.message).toMatch(/^email: /);
        } else {
          expect(r.status, `request ${i}`).toBe(202);
          expect(r.body.accepted).toBe(1);
        }
      });
      const conflicting = await t.api('GET', '/v1/contacts/m17');
      expect(conflicting.status).toBe(404);
      const fine = await t.api<Exported>('GET', '/v1/contacts/m18/export');
      expect(fine.body.events.map((e) => Number(e.id))).toEqual(responses[18]?.body.ids);
    },
    30_000,
  );
});
