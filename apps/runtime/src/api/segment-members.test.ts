import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceScan } from '../audience/scans.ts';
import { createWorkspace } from '../bootstrap.ts';
import type { Database } from '../db/client.ts';
import { rowsOf } from '../db/rows.ts';
import type { Services } from '../services.ts';
import { testBackends } from '../testing/databases.ts';
import { testServices } from '../testing/services.ts';
import { createApp } from './app.ts';

// Needs a second connection to interleave with the route, so Postgres only: PGlite has one
// connection, and its statements cannot run while another transaction holds it.
const postgres = testBackends.find((b) => b.name === 'postgres');

describe.skipIf(!postgres || postgres.skip)('GET /v1/segments/{id}/members while a background pass ends', () => {
  let database: Database;
  let services: Services;
  let apiKey: string;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    database = await (postgres as (typeof testBackends)[number]).open();
    services = await testServices(database);
    ({ apiKey } = await createWorkspace(database.db, 'members test'));
    app = createApp(services);
  }, 60_000);
  afterAll(async () => {
    await database?.close();
  });

  const call = async <T>(method: string, path: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  type Members = { members: { contactId: string }[]; computing: boolean };

  it('never answers "not computing" with the membership from before the pass', async () => {
    await call('POST', '/v1/contacts', {
      contacts: [
        { id: 'ann', attributes: { plan: 'pro' } },
        { id: 'bob', attributes: { plan: 'free' } },
      ],
    });
    expect(
      (
        await call('POST', '/v1/segments', {
          id: 'pros',
          name: 'Pros',
          condition: { attribute: 'plan', op: 'eq', value: 'pro' },
        })
      ).status,
    ).toBe(201);
    // No audience worker runs here: the test runs the passes itself.
    while ((await services.db.transaction((tx) => advanceScan(tx, services))) > 0);
    expect((await call<Members>('GET', '/v1/segments/pros/members')).body).toMatchObject({
      members: [{ contactId: 'ann' }],
      computing: false,
    });

    // The condition changes: the pass recomputing it is queued…
    expect(
      (
        await call('PUT', '/v1/segments/pros', {
          name: 'Pros',
          condition: { attribute: 'plan', op: 'eq', value: 'free' },
        })
      ).status,
    ).toBe(200);
    // …and finishes while a read of the members is under way. The pass's transaction holds the
    // audience_scans table, so the read waits at its first statement that touches it; once the read
    // is waiting, the pass completes and commits.
    const answer = await services.db.transaction(async (tx) => {
      await tx.execute(sql`lock table audience_scans in access exclusive mode`);
      const pending = call<Members>('GET', '/v1/segments/pros/members');
      for (;;) {
        const [waiting] = rowsOf<{ n: number }>(
          await database.db.execute(sql`
            select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation
            where c.relname = 'audience_scans' and not l.granted`),
        );
        if ((waiting?.n ?? 0) > 0) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(await advanceScan(tx, services)).toBeGreaterThan(0);
      return { pending };
    });
    const members = await answer.pending;
    expect(members.status).toBe(200);
    expect(members.body).toMatchObject({ members: [{ contactId: 'bob' }], computing: false });
  });
});
