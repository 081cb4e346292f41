import {
  type AdvanceInput,
  type AdvanceResult,
  advance,
  type ContactJourneyState,
  type HistoryEvent,
  type PreparedJourney,
  type RuntimeEvent,
  type VariantStats,
} from '@waymark/nodes';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import { refreshChangedContacts } from '../audience/refresh.ts';
import type { Tx } from '../db/client.ts';
import { deliveryChannel } from '../db/events.ts';
import { asDate, rowsOf } from '../db/rows.ts';
import { journeyStates, nodeStats, type outbox } from '../db/schema.ts';
import type { StatIncrement } from '../db/stats.ts';
import type { Services } from '../services.ts';
import type { ActiveJourney, JourneyCache } from './journey-cache.ts';

type OutboxRow = typeof outbox.$inferInsert;

/** A journey_states row as the scheduler reads it (raw SQL, either driver). */
interface StateRow {
  workspaceId: string;
  journeyId: string;
  contactId: string;
  versionId: string;
  state: Record<string, unknown>;
}

interface ContactRow {
  workspaceId: string;
  id: string;
  email: string | null;
  attributes: Record<string, unknown>;
  suppressed: boolean;
}

/** Effect kinds the runtime performs from the outbox after commit. */
const outboxKinds = new Set(['email', 'webhook', 'generateSubject', 'sentiment']);
const retryDelaysMs = [30_000, 120_000, 600_000];

const key = (...parts: string[]) => parts.join('\u0000');

/**
 * A Postgres array literal of text values, passed as ONE parameter (`= any(${textArray(ids)}::text[])`):
 * a batch of 500 ids costs one parameter instead of 500, whichever driver runs the query.
 */
export function textArray(values: Iterable<string>): string {
  const out: string[] = [];
  for (const v of values) out.push(`"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  return `{${out.join(',')}}`;
}

/** A JSON value from a raw row: postgres.js parses jsonb, PGlite may hand over text. */
const jsonOf = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

/** The work of one transaction: states, outbox rows, counters and contact changes to write. */
class Batch {
  readonly states = new Map<string, typeof journeyStates.$inferInsert>();
  readonly outbox: OutboxRow[] = [];
  readonly stats: StatIncrement[] = [];
  readonly contactChanges = new Map<string, ContactRow>();
  transitions = 0;

  record(
    workspaceId: string,
    journeyId: string,
    versionId: string,
    journey: PreparedJourney,
    contact: ContactRow,
    r: AdvanceResult,
    now: number,
  ) {
    this.transitions += r.steps.length;
    for (const step of r.steps) {
      const node = journey.nodes.get(step.node);
      const inc = (n: string, metric: string) => this.stats.push({ workspaceId, versionId, node: n, metric, by: 1 });
      if (node?.nodeType.category === 'trigger') inc(step.node, 'entered');
      inc(step.node, 'left');
      if (step.port !== undefined) inc(step.node, `left:${step.port}`);
      if (step.skipped) inc(step.node, `skipped:${step.skipped}`);
      if (step.error) inc(step.node, `failed:${step.error.code}`);
      if (step.error?.retryAt !== undefined) inc(step.node, `retried:${step.error.code}`);
      else if (step.error?.attempt !== undefined) inc(step.node, `gave_up:${step.error.code}`);
      if (step.exit) inc(step.node, step.exit === 'goal' ? 'goal' : 'exited');
      if (step.type === 'flow.abTest' && step.port !== undefined) inc(step.node, `arm:${step.port}:trials`);
      if (!step.exit && !step.error) {
        const target = node?.out.get(step.port ?? 'next');
        if (target !== undefined) inc(target, 'entered');
      }
    }
    for (const e of r.effects) {
      if (!outboxKinds.has(e.effect.kind) && !e.effect.kind.includes('.')) continue;
      const run = r.state.runs.find((x) => x.id === e.runId);
      const experiments = run
        ? Object.entries(run.outputs)
            .filter(([, o]) => o.type === 'flow.abTest')
            .map(([node, o]) => ({ node, ...(o.value as { variant: string; metric: string }) }))
        : [];
      this.outbox.push({
        workspaceId,
        // The interpreter's key is unique within a journey; two journeys may share node ids.
        key: `${journeyId}:${e.key}`,
        kind: e.effect.kind,
        journeyId,
        versionId,
        runId: e.runId,
        contactId: contact.id,
        node: e.node,
        payload: experiments.length > 0 ? { ...e.effect, experiments } : { ...e.effect },
      });
    }
    if (r.contact.attributes !== contact.attributes) {
      contact.attributes = r.contact.attributes;
      this.contactChanges.set(key(workspaceId, contact.id), contact);
    }
    this.states.set(key(workspaceId, journeyId, contact.id), {
      workspaceId,
      journeyId,
      contactId: contact.id,
      versionId,
      state: r.state as unknown as Record<string, unknown>,
      node: r.state.runs[0]?.node ?? null,
      wakeAt: wakeOf(r.state, now),
      updatedAt: new Date(now),
    });
  }
}

/** Increments summed per counter row, as JSON rows for the counter upsert. */
function sumStats(increments: readonly StatIncrement[]) {
  const summed = new Map<string, { w: string; v: string; n: string; m: string; b: number }>();
  for (const inc of increments) {
    const k = key(inc.workspaceId, inc.versionId, inc.node, inc.metric);
    const seen = summed.get(k);
    if (seen) seen.b += inc.by;
    else summed.set(k, { w: inc.workspaceId, v: inc.versionId, n: inc.node, m: inc.metric, b: inc.by });
  }
  return [...summed.values()];
}

/** When to wake the state next: the earliest timer, or the retry of a failed step the interpreter set. */
function wakeOf(state: ContactJourneyState, now: number): Date | null {
  let t: number | undefined;
  for (const run of state.runs) {
    let candidate = run.wakeAt;
    if (run.failed?.retryAt !== undefined) candidate = run.failed.retryAt;
    // States written before retry policies: the old fixed delays.
    else if (run.failed && run.failed.attempts <= retryDelaysMs.length)
      candidate = now + (retryDelaysMs[run.failed.attempts - 1] as number);
    if (candidate !== undefined && (t === undefined || candidate < t)) t = candidate;
  }
  return t === undefined ? null : new Date(t);
}

/** A claimed due run with its contact, as the claim query returns it. */
interface DueRow {
  workspace_id: string;
  journey_id: string;
  contact_id: string;
  version_id: string;
  state: unknown;
  found: boolean | null;
  email: string | null;
  attributes: unknown;
  suppressed: boolean | null;
}

/**
 * Runs the interpreter for claimed work and commits states, effects and counters in one transaction.
 *
 * Every query of a batch is one statement whatever the batch size: ids go in as one array parameter
 * and rows to write as one JSON parameter (`jsonb_to_recordset`), so a batch of 500 costs the same
 * handful of round trips and query plans as a batch of 5.
 */
export class Engine {
  readonly #statsCache = new Map<string, { at: number; stats: Map<string, VariantStats> }>();
  /**
   * The earliest wake time this engine has written since the scheduler last looked for due runs, so
   * that the scheduler need not look again before then (see worker.ts). Infinity when none.
   */
  earliestWakeWritten = Number.POSITIVE_INFINITY;

  constructor(
    private readonly services: Services,
    private readonly cache: JourneyCache,
  ) {}

  /** Per-node arm counters of a version, for bandits; refreshed every few seconds. */
  async #armStats(tx: Tx, workspaceId: string, versionId: string): Promise<(node: string) => VariantStats> {
    const hit = this.#statsCache.get(versionId);
    let stats = hit && Date.now() - hit.at < 5_000 ? hit.stats : undefined;
    if (!stats) {
      const rows = await tx
        .select()
        .from(nodeStats)
        .where(
          and(
            eq(nodeStats.workspaceId, workspaceId),
            eq(nodeStats.versionId, versionId),
            sql`${nodeStats.metric} like 'arm:%'`,
          ),
        );
      const built = new Map<string, Record<string, { trials: number; successes: number }>>();
      for (const row of rows) {
        const [, arm, what] = row.metric.split(':');
        if (arm === undefined || (what !== 'trials' && what !== 'successes')) continue;
        const node = built.get(row.node) ?? {};
        const entry = node[arm] ?? { trials: 0, successes: 0 };
        entry[what] = row.count;
        node[arm] = entry;
        built.set(row.node, node);
      }
      stats = built;
      this.#statsCache.set(versionId, { at: Date.now(), stats });
    }
    const s = stats;
    return (node) => s.get(node) ?? {};
  }

  /** Arm counters per version, looked up once per batch. */
  #armStatsOfBatch(tx: Tx) {
    const memo = new Map<string, Promise<(node: string) => VariantStats>>();
    return (workspaceId: string, versionId: string) => {
      let p = memo.get(versionId);
      if (!p) {
        p = this.#armStats(tx, workspaceId, versionId);
        memo.set(versionId, p);
      }
      return p;
    };
  }

  /** The recent events of the given contacts (up to event id `upTo`), oldest first, in one query. */
  async #loadHistory(
    tx: Tx,
    workspaceId: string,
    contactIds: Iterable<string>,
    upTo: number,
  ): Promise<Map<string, HistoryEvent[]>> {
    const rows = rowsOf<{ contact_id: string; name: string; at: Date | string; properties: unknown }>(
      await tx.execute(sql`
        select contact_id, name, at, properties from events
        where workspace_id = ${workspaceId} and contact_id = any(${textArray(contactIds)}::text[])
          and at > now() - interval '400 days' and id <= ${upTo}
        order by at`),
    );
    const out = new Map<string, HistoryEvent[]>();
    for (const r of rows) {
      const list = out.get(r.contact_id) ?? [];
      list.push({ event: r.name, at: asDate(r.at).getTime(), properties: jsonOf(r.properties) });
      out.set(r.contact_id, list);
    }
    return out;
  }

  /**
   * Writes a batch in ONE statement (data-modifying CTEs): the states (upsert), the outbox rows, the
   * contact attribute changes, the processed mark of the claimed events, the node counters, and the
   * NOTIFY of the delivery workers when there are outbox rows. One round trip and one plan instead of
   * six; rows travel as JSON parameters, so the statement text is the same for every batch size.
   * Counter rows, which every batch of a journey updates, are upserted in key order (no deadlocks).
   */
  async #write(tx: Tx, batch: Batch, processed?: { at: number; eventIds: number[] }) {
    const parts: SQL[] = [];
    for (const s of batch.states.values())
      if (s.wakeAt && s.wakeAt.getTime() < this.earliestWakeWritten) this.earliestWakeWritten = s.wakeAt.getTime();
    if (batch.states.size > 0) {
      const rows = [...batch.states.values()].map((s) => ({
        w: s.workspaceId,
        j: s.journeyId,
        c: s.contactId,
        v: s.versionId,
        s: s.state,
        n: s.node ?? null,
        t: s.wakeAt ? s.wakeAt.toISOString() : null,
        u: (s.updatedAt ?? new Date()).toISOString(),
      }));
      parts.push(sql`states as (
        insert into journey_states (workspace_id, journey_id, contact_id, version_id, state, node, wake_at, updated_at)
        select w, j, c, v, s, n, t, u
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          as x(w text, j text, c text, v text, s jsonb, n text, t timestamptz, u timestamptz)
        on conflict (workspace_id, journey_id, contact_id) do update set
          version_id = excluded.version_id, state = excluded.state, node = excluded.node,
          wake_at = excluded.wake_at, updated_at = excluded.updated_at
        returning 1)`);
    }
    if (batch.outbox.length > 0) {
      const rows = batch.outbox.map((o) => ({
        w: o.workspaceId,
        k: o.key,
        d: o.kind,
        j: o.journeyId,
        v: o.versionId,
        r: o.runId,
        c: o.contactId,
        n: o.node,
        p: o.payload,
      }));
      parts.push(sql`outboxed as (
        insert into outbox (workspace_id, key, kind, journey_id, version_id, run_id, contact_id, node, payload)
        select w, k, d, j, v, r, c, n, p
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          as x(w text, k text, d text, j text, v text, r text, c text, n text, p jsonb)
        on conflict do nothing
        returning 1)`);
    }
    if (batch.contactChanges.size > 0) {
      // In key order, so that concurrent batches lock contact rows in the same order.
      const rows = [...batch.contactChanges.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([, c]) => ({ w: c.workspaceId, c: c.id, a: c.attributes }));
      parts.push(sql`changed as (
        update contacts set attributes = x.a, updated_at = now()
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(w text, c text, a jsonb)
        where contacts.workspace_id = x.w and contacts.id = x.c
        returning 1)`);
    }
    if (processed && processed.eventIds.length > 0)
      parts.push(sql`processed as (
        update events set processed_at = ${new Date(processed.at).toISOString()}::timestamptz
        where id = any(${`{${processed.eventIds.join(',')}}`}::bigint[])
        returning 1)`);
    const counters = sumStats(batch.stats);
    if (counters.length > 0)
      parts.push(sql`counted as (
        insert into node_stats (workspace_id, version_id, node, metric, count)
        select w, v, n, m, b from jsonb_to_recordset(${JSON.stringify(counters)}::jsonb)
          as x(w text, v text, n text, m text, b bigint)
        order by w, v, n, m
        on conflict (workspace_id, version_id, node, metric) do update set count = node_stats.count + excluded.count
        returning 1)`);
    if (parts.length === 0) return;
    // Tagged with this process: it wakes its own delivery directly after the commit (see below).
    const wake = batch.outbox.length > 0 ? sql`pg_notify(${deliveryChannel}, ${this.services.wake.origin})` : sql`null`;
    await tx.execute(sql`with ${sql.join(parts, sql`, `)} select ${wake}`);
  }

  /**
   * Processes up to `limit` unprocessed events (at most one per contact per batch, so a contact's
   * events are applied in order even with several processes): enrols, resumes and exits runs.
   */
  async processEvents(limit = 500): Promise<number> {
    const { db } = this.services;
    let emails = false;
    const processed = await db.transaction(async (tx) => {
      // One statement claims the events (at most the first unprocessed one per contact, skipping rows
      // other processes hold), locks the states of their contacts, and returns the contacts with
      // their states and the status of each state's journey, as JSON.
      const [loaded] = rowsOf<{ events: unknown; contacts: unknown }>(
        await tx.execute(sql`
          with claimed as (
            select e.id, e.workspace_id, e.contact_id, e.name, e.at, e.properties from events e
            where e.processed_at is null and not exists (
              select 1 from events p where p.processed_at is null and p.workspace_id = e.workspace_id
                and p.contact_id = e.contact_id and p.id < e.id)
            order by e.id limit ${limit} for update skip locked
          ), keys as (
            select distinct workspace_id, contact_id from claimed
          ), st as (
            select s.workspace_id, s.journey_id, s.contact_id, s.version_id, s.state, j.status
            from journey_states s
            join keys k on k.workspace_id = s.workspace_id and k.contact_id = s.contact_id
            left join journeys j on j.workspace_id = s.workspace_id and j.id = s.journey_id
            order by s.workspace_id, s.journey_id, s.contact_id
            for update of s
          ), by_contact as (
            select workspace_id, contact_id,
              json_agg(json_build_object('j', journey_id, 'v', version_id, 's', state, 'a', status)) as states
            from st group by workspace_id, contact_id
          )
          select
            (select json_agg(json_build_object('id', id, 'w', workspace_id, 'c', contact_id, 'n', name,
               'at', floor(extract(epoch from at) * 1000)::bigint, 'p', properties) order by id) from claimed) as events,
            (select json_agg(json_build_object('w', c.workspace_id, 'id', c.id, 'email', c.email, 'a', c.attributes,
               'x', exists (select 1 from suppressions x where x.workspace_id = c.workspace_id and x.email = lower(c.email)),
               's', b.states))
             from contacts c join keys k on k.workspace_id = c.workspace_id and k.contact_id = c.id
             left join by_contact b on b.workspace_id = c.workspace_id and b.contact_id = c.id) as contacts`),
      );
      const claimed =
        jsonOf<{ id: number; w: string; c: string; n: string; at: number; p: Record<string, unknown> }[] | null>(
          loaded?.events,
        ) ?? [];
      if (claimed.length === 0) return 0;
      const now = Date.now();
      const byWorkspace = new Map<string, Set<string>>();
      for (const e of claimed) {
        const set = byWorkspace.get(e.w) ?? new Set();
        set.add(e.c);
        byWorkspace.set(e.w, set);
      }
      const contactRows = new Map<string, ContactRow>();
      const statesByContact = new Map<string, StateRow[]>();
      const statuses = new Map<string, string>();
      type LoadedContact = {
        w: string;
        id: string;
        email: string | null;
        a: Record<string, unknown>;
        x: boolean;
        s: { j: string; v: string; s: Record<string, unknown>; a: string | null }[] | null;
      };
      for (const r of jsonOf<LoadedContact[] | null>(loaded?.contacts) ?? []) {
        const k = key(r.w, r.id);
        contactRows.set(k, { workspaceId: r.w, id: r.id, email: r.email, attributes: r.a, suppressed: r.x });
        const list: StateRow[] = [];
        for (const st of r.s ?? []) {
          list.push({ workspaceId: r.w, journeyId: st.j, contactId: r.id, versionId: st.v, state: st.s });
          if (st.a !== null) statuses.set(key(r.w, st.j), st.a);
        }
        statesByContact.set(k, list);
      }
      const batch = new Batch();
      const armStats = this.#armStatsOfBatch(tx);
      let maxId = 0;
      for (const e of claimed) maxId = Math.max(maxId, Number(e.id));
      for (const [workspaceId, set] of byWorkspace) {
        const active = await this.cache.active(workspaceId, tx);
        const activeById = new Map(active.map((a) => [a.journeyId, a]));
        const history = active.some((a) => a.needsHistory)
          ? await this.#loadHistory(tx, workspaceId, set, maxId)
          : new Map<string, HistoryEvent[]>();
        for (const e of claimed) {
          if (e.w !== workspaceId) continue;
          const contact = contactRows.get(key(workspaceId, e.c));
          if (!contact) continue;
          const properties = e.p ?? {};
          const event: RuntimeEvent = { event: e.n, at: Number(e.at), properties };
          const target = typeof properties.journey === 'string' ? properties.journey : undefined;
          const candidates = new Map<string, { versionId: string; state: ContactJourneyState | undefined }>();
          for (const row of statesByContact.get(key(workspaceId, contact.id)) ?? []) {
            if (statuses.get(key(workspaceId, row.journeyId)) !== 'active') continue;
            const state = row.state as unknown as ContactJourneyState;
            const version =
              state.runs.length > 0 ? row.versionId : (activeById.get(row.journeyId)?.versionId ?? row.versionId);
            candidates.set(row.journeyId, { versionId: version, state });
          }
          for (const a of active)
            if (!candidates.has(a.journeyId) && (a.enrolEvents === 'any' || a.enrolEvents.has(e.n)))
              candidates.set(a.journeyId, { versionId: a.versionId, state: undefined });
          for (const [journeyId, { versionId, state }] of candidates) {
            if (target !== undefined && target !== journeyId) continue;
            const journey = await this.cache.version(versionId, tx);
            if (!journey) continue;
            const input: AdvanceInput =
              e.n === 'journey.enrol'
                ? { kind: 'manual' }
                : e.n === 'journey.date' && typeof properties.node === 'string'
                  ? { kind: 'date', node: properties.node }
                  : { kind: 'event', event };
            const activeEntry: ActiveJourney | undefined = activeById.get(journeyId);
            const current = batch.states.get(key(workspaceId, journeyId, contact.id));
            const r = advance(journey, (current?.state as unknown as ContactJourneyState | undefined) ?? state, input, {
              now,
              contact: { id: contact.id, attributes: contact.attributes, suppressed: contact.suppressed },
              history: activeEntry?.needsHistory ? (history.get(contact.id) ?? []) : [],
              stats: await armStats(workspaceId, versionId),
            });
            if (r.steps.length === 0 && r.effects.length === 0 && state === undefined && r.state.runs.length === 0)
              continue;
            for (const error of r.errors)
              this.services.log.warn('event not applied', {
                journeyId,
                contactId: contact.id,
                event: e.n,
                code: error.code,
                message: error.message,
              });
            batch.record(workspaceId, journeyId, versionId, journey, contact, r, now);
          }
        }
      }
      await this.#write(tx, batch, { at: now, eventIds: claimed.map((e) => Number(e.id)) });
      await refreshChangedContacts(tx, this.services, batch.contactChanges.values());
      emails = batch.outbox.length > 0;
      return claimed.length;
    });
    // This process's delivery at once, without waiting for the NOTIFY to come back from Postgres.
    if (emails) this.services.wake.delivery();
    return processed;
  }

  /**
   * Advances up to `limit` runs whose wake time has come (timers, timeouts, retries). One query claims
   * the runs with their states and contacts; the contacts' history is loaded in one more query, and
   * only when a journey's conditions count events.
   */
  async processDue(limit = 500): Promise<{ runs: number; transitions: number }> {
    const { db } = this.services;
    let emails = false;
    const result = await db.transaction(async (tx) => {
      const due = rowsOf<DueRow>(
        // The claim is a CTE of its own (materialised, since it locks rows): the index scan on
        // journey_states_wake with LIMIT and SKIP LOCKED is planned and locks on its own, and the
        // contacts are joined to the 500 claimed rows only, whatever the statistics say.
        await tx.execute(sql`
          with due as (
            select s.workspace_id, s.journey_id, s.contact_id, s.version_id, s.state
            from ${journeyStates} s
            where s.wake_at <= now() and exists (
              select 1 from journeys j where j.workspace_id = s.workspace_id and j.id = s.journey_id and j.status = 'active')
            order by s.wake_at limit ${limit} for update of s skip locked
          )
          select due.workspace_id, due.journey_id, due.contact_id, due.version_id, due.state,
            c.id is not null as found, c.email, c.attributes,
            exists (select 1 from suppressions x where x.workspace_id = due.workspace_id and x.email = lower(c.email)) as suppressed
          from due left join contacts c on c.workspace_id = due.workspace_id and c.id = due.contact_id`),
      );
      if (due.length === 0) return { runs: 0, transitions: 0 };
      const now = Date.now();
      const batch = new Batch();
      const armStats = this.#armStatsOfBatch(tx);
      // One contact object per contact, shared by its runs in several journeys (attribute changes carry over).
      const contactRows = new Map<string, ContactRow>();
      const needsHistory = new Map<string, Set<string>>();
      for (const d of due) {
        if (!d.found) continue;
        const k = key(d.workspace_id, d.contact_id);
        if (!contactRows.has(k))
          contactRows.set(k, {
            workspaceId: d.workspace_id,
            id: d.contact_id,
            email: d.email,
            attributes: jsonOf<Record<string, unknown>>(d.attributes),
            suppressed: Boolean(d.suppressed),
          });
        const active = (await this.cache.active(d.workspace_id, tx)).find((a) => a.journeyId === d.journey_id);
        if (active?.needsHistory) {
          const set = needsHistory.get(d.workspace_id) ?? new Set();
          set.add(d.contact_id);
          needsHistory.set(d.workspace_id, set);
        }
      }
      const history = new Map<string, HistoryEvent[]>();
      for (const [workspaceId, set] of needsHistory)
        for (const [contactId, list] of await this.#loadHistory(tx, workspaceId, set, Number.MAX_SAFE_INTEGER))
          history.set(key(workspaceId, contactId), list);
      for (const d of due) {
        const contact = contactRows.get(key(d.workspace_id, d.contact_id));
        const journey = await this.cache.version(d.version_id, tx);
        if (!contact || !journey) continue;
        const r = advance(
          journey,
          jsonOf<ContactJourneyState>(d.state),
          { kind: 'timer' },
          {
            now,
            contact: { id: contact.id, attributes: contact.attributes, suppressed: contact.suppressed },
            history: history.get(key(d.workspace_id, d.contact_id)) ?? [],
            stats: await armStats(d.workspace_id, d.version_id),
          },
        );
        batch.record(d.workspace_id, d.journey_id, d.version_id, journey, contact, r, now);
      }
      await this.#write(tx, batch);
      await refreshChangedContacts(tx, this.services, batch.contactChanges.values());
      emails = batch.outbox.length > 0;
      return { runs: due.length, transitions: batch.transitions };
    });
    if (emails) this.services.wake.delivery();
    return result;
  }
}
