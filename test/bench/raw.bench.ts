/**
 * The raw limit: the least SQL one journey step needs, on Waymark's own tables and indexes, issued
 * with postgres.js in tight loops, batched as Waymark's scheduler batches. Per batch, one transaction:
 *   enrol   — claim unprocessed events (SKIP LOCKED), insert the states, mark the events processed;
 *   timers  — claim due states joined with their contacts (SKIP LOCKED), write the new states with one
 *             UPDATE … FROM unnest(…), insert the outbox rows of the emails.
 * No node counters, no history, no interpreter: the step logic is a hand-written switch. Everything
 * Waymark does beyond this is overhead to be justified.
 */
import postgres from 'postgres';
import {
  advanceTime,
  type BenchContext,
  createDatabase,
  type Figures,
  rate,
  type Scenario,
  transitionsPerContact,
} from './support.ts';
import { nextOf, prepareWaymarkSchema, stateAt } from './workload.ts';

export interface RawOptions {
  contacts: number;
  batchSize?: number;
  /** Loops (connections) in parallel, as the schedulers of two processes would be. */
  loops?: number;
}

/** Runs the three phases of the six-node journey with raw SQL; returns transitions and seconds. */
export async function runRawLimit(ctx: BenchContext, options: RawOptions) {
  const batchSize = options.batchSize ?? 500;
  const loops = options.loops ?? 2;
  const db = await createDatabase(ctx.serverUrl);
  const sql = postgres(db.url, { max: loops, onnotice: () => {}, prepare: true });
  try {
    await prepareWaymarkSchema(db.url, db.sql, options.contacts);
    await db.sql`
      insert into events (workspace_id, contact_id, name, at, properties)
      select 'default', 'c' || i, 'signed_up', now(), '{}' from generate_series(0, ${options.contacts - 1}::int) i`;

    let transitions = 0;
    let emails = 0;
    const enrolBatch = async (): Promise<number> =>
      sql.begin(async (tx) => {
        const claimed = await tx<{ id: string; contact_id: string }[]>`
          select id, contact_id from events where processed_at is null
          order by id limit ${batchSize} for update skip locked`;
        if (claimed.length === 0) return 0;
        const now = Date.now();
        const ids = claimed.map((e) => e.contact_id);
        const states = ids.map((id) => {
          const n = nextOf('start', {}, now);
          return JSON.stringify(stateAt(id, n.node, n.seq, now, n.wakeAt));
        });
        const wake = new Date(now + 3_600_000);
        await tx`
          insert into journey_states (workspace_id, journey_id, contact_id, version_id, state, node, wake_at, updated_at)
          select 'default', 'bench6', v.contact_id, 'v1', v.state::jsonb, 'w1', ${wake}, now()
          from unnest(${ids}::text[], ${states}::text[]) as v(contact_id, state)
          on conflict (workspace_id, journey_id, contact_id) do update set
            state = excluded.state, node = excluded.node, wake_at = excluded.wake_at, updated_at = excluded.updated_at`;
        await tx`update events set processed_at = now() where id = any(${claimed.map((e) => e.id)}::bigint[])`;
        transitions += claimed.length;
        return claimed.length;
      });

    const timerBatch = async (): Promise<number> =>
      sql.begin(async (tx) => {
        const due = await tx<{ contact_id: string; node: string; attributes: Record<string, unknown> }[]>`
          select s.contact_id, s.node, c.attributes from journey_states s
          join contacts c on c.workspace_id = s.workspace_id and c.id = s.contact_id
          where s.wake_at <= now() order by s.wake_at limit ${batchSize} for update of s skip locked`;
        if (due.length === 0) return 0;
        const now = Date.now();
        const ids: string[] = [];
        const states: string[] = [];
        const nodes: (string | null)[] = [];
        const wakes: (string | null)[] = [];
        const mail: string[] = [];
        for (const d of due) {
          const n = nextOf(d.node, d.attributes, now);
          ids.push(d.contact_id);
          states.push(JSON.stringify(stateAt(d.contact_id, n.node, n.seq, now, n.wakeAt)));
          nodes.push(n.node);
          wakes.push(n.wakeAt === undefined ? null : new Date(n.wakeAt).toISOString());
          transitions += n.transitions;
          if (n.email) mail.push(d.contact_id);
        }
        await tx`
          update journey_states s set state = v.state::jsonb, node = v.node, wake_at = v.wake_at::timestamptz, updated_at = now()
          from unnest(${ids}::text[], ${states}::text[], ${nodes as string[]}::text[], ${wakes as string[]}::text[])
            as v(contact_id, state, node, wake_at)
          where s.workspace_id = 'default' and s.journey_id = 'bench6' and s.contact_id = v.contact_id`;
        if (mail.length > 0) {
          await tx`
            insert into outbox (workspace_id, key, kind, journey_id, version_id, run_id, contact_id, node, payload)
            select 'default', c || ':1:send:3', 'email', 'bench6', 'v1', c || ':1', c, 'send', '{"kind":"email","template":"bench"}'
            from unnest(${mail}::text[]) as c
            on conflict do nothing`;
          await tx`select pg_notify('waymark_delivery', '')`;
          emails += mail.length;
        }
        return due.length;
      });

    const drain = async (batch: () => Promise<number>) => {
      const started = performance.now();
      await Promise.all(
        Array.from({ length: loops }, async () => {
          while ((await batch()) > 0) {}
        }),
      );
      return (performance.now() - started) / 1000;
    };

    const seconds: number[] = [];
    seconds.push(await drain(enrolBatch));
    await advanceTime(db.sql);
    seconds.push(await drain(timerBatch));
    await advanceTime(db.sql);
    seconds.push(await drain(timerBatch));
    const total = seconds.reduce((a, b) => a + b, 0);
    if (transitions !== options.contacts * transitionsPerContact)
      throw new Error(`raw limit: ${transitions} transitions, expected ${options.contacts * transitionsPerContact}`);
    return { transitions, emails, seconds: total, phases: seconds };
  } finally {
    await sql.end({ timeout: 5 });
    await db.drop();
  }
}

export const rawScenario: Scenario = {
  name: 'raw limit (postgres.js, batched SQL)',
  async run(ctx): Promise<Figures> {
    const contacts = ctx.tiny ? 300 : ctx.quick ? 5_000 : 100_000;
    const r = await runRawLimit(ctx, { contacts });
    return {
      raw_limit_contacts: contacts,
      raw_limit_transitions_per_s: rate(r.transitions, r.seconds),
      raw_limit_enrol_per_s: rate(contacts, r.phases[0] as number),
      raw_limit_seconds: Number(r.seconds.toFixed(2)),
    };
  },
};
