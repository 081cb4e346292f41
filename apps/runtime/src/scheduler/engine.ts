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
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { notify } from '../db/client.ts';
import { deliveryChannel } from '../db/events.ts';
import { asDate, rowsOf } from '../db/rows.ts';
import { contacts, events, journeyStates, nodeStats, outbox, suppressions } from '../db/schema.ts';
import { bumpStats, type StatIncrement } from '../db/stats.ts';
import type { Services } from '../services.ts';
import type { ActiveJourney, JourneyCache } from './journey-cache.ts';

type StateRow = typeof journeyStates.$inferSelect;
type OutboxRow = typeof outbox.$inferInsert;

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
        key: e.key,
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

/** When to wake the state next: the earliest timer, or a retry of a failed step with backoff. */
function wakeOf(state: ContactJourneyState, now: number): Date | null {
  let t: number | undefined;
  for (const run of state.runs) {
    let candidate = run.wakeAt;
    if (run.failed && run.failed.attempts <= retryDelaysMs.length)
      candidate = now + (retryDelaysMs[run.failed.attempts - 1] as number);
    if (candidate !== undefined && (t === undefined || candidate < t)) t = candidate;
  }
  return t === undefined ? null : new Date(t);
}

/** Runs the interpreter for claimed work and commits states, effects and counters in one transaction. */
export class Engine {
  readonly #statsCache = new Map<string, { at: number; stats: Map<string, VariantStats> }>();

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

  async #loadContacts(tx: Tx, ids: Map<string, Set<string>>): Promise<Map<string, ContactRow>> {
    const out = new Map<string, ContactRow>();
    for (const [workspaceId, set] of ids) {
      const rows = await tx
        .select({
          id: contacts.id,
          email: contacts.email,
          attributes: contacts.attributes,
          suppressed: sql<boolean>`exists (select 1 from ${suppressions} s where s.workspace_id = ${contacts.workspaceId} and s.email = lower(${contacts.email}))`,
        })
        .from(contacts)
        .where(and(eq(contacts.workspaceId, workspaceId), inArray(contacts.id, [...set])));
      for (const r of rows) out.set(key(workspaceId, r.id), { workspaceId, ...r, suppressed: Boolean(r.suppressed) });
    }
    return out;
  }

  async #loadHistory(
    tx: Tx,
    workspaceId: string,
    contactIds: string[],
    upTo: number,
  ): Promise<Map<string, HistoryEvent[]>> {
    const rows = await tx
      .select({ contactId: events.contactId, name: events.name, at: events.at, properties: events.properties })
      .from(events)
      .where(
        and(
          eq(events.workspaceId, workspaceId),
          inArray(events.contactId, contactIds),
          sql`${events.at} > now() - interval '400 days'`,
          sql`${events.id} <= ${upTo}`,
        ),
      )
      .orderBy(events.at);
    const out = new Map<string, HistoryEvent[]>();
    for (const r of rows) {
      const list = out.get(r.contactId) ?? [];
      list.push({ event: r.name, at: r.at.getTime(), properties: r.properties });
      out.set(r.contactId, list);
    }
    return out;
  }

  async #write(tx: Tx, batch: Batch) {
    const states = [...batch.states.values()];
    if (states.length > 0)
      await tx
        .insert(journeyStates)
        .values(states)
        .onConflictDoUpdate({
          target: [journeyStates.workspaceId, journeyStates.journeyId, journeyStates.contactId],
          set: {
            versionId: sql`excluded.version_id`,
            state: sql`excluded.state`,
            node: sql`excluded.node`,
            wakeAt: sql`excluded.wake_at`,
            updatedAt: sql`excluded.updated_at`,
          },
        });
    if (batch.outbox.length > 0) {
      await tx.insert(outbox).values(batch.outbox).onConflictDoNothing();
      await notify(tx, deliveryChannel);
    }
    await bumpStats(tx, batch.stats);
    const changed = [...batch.contactChanges.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [, c] of changed)
      await tx
        .update(contacts)
        .set({ attributes: c.attributes, updatedAt: new Date() })
        .where(and(eq(contacts.workspaceId, c.workspaceId), eq(contacts.id, c.id)));
  }

  /**
   * Processes up to `limit` unprocessed events (at most one per contact per batch, so a contact's
   * events are applied in order even with several processes): enrols, resumes and exits runs.
   */
  async processEvents(limit = 500): Promise<number> {
    const { db } = this.services;
    return db.transaction(async (tx) => {
      const claimed = rowsOf<{
        id: string | number;
        workspace_id: string;
        contact_id: string;
        name: string;
        at: Date | string;
        properties: Record<string, unknown> | string;
      }>(
        await tx.execute(sql`
          select e.id, e.workspace_id, e.contact_id, e.name, e.at, e.properties from ${events} e
          where e.processed_at is null and not exists (
            select 1 from ${events} p where p.processed_at is null and p.workspace_id = e.workspace_id
              and p.contact_id = e.contact_id and p.id < e.id)
          order by e.id limit ${limit} for update skip locked`),
      );
      if (claimed.length === 0) return 0;
      const now = Date.now();
      const byWorkspace = new Map<string, Set<string>>();
      for (const e of claimed) {
        const set = byWorkspace.get(e.workspace_id) ?? new Set();
        set.add(e.contact_id);
        byWorkspace.set(e.workspace_id, set);
      }
      const contactRows = await this.#loadContacts(tx, byWorkspace);
      const stateRows = new Map<string, StateRow>();
      for (const [workspaceId, set] of byWorkspace) {
        const rows = await tx
          .select()
          .from(journeyStates)
          .where(and(eq(journeyStates.workspaceId, workspaceId), inArray(journeyStates.contactId, [...set])))
          .for('update');
        for (const r of rows) stateRows.set(key(workspaceId, r.journeyId, r.contactId), r);
      }
      const batch = new Batch();
      const maxId = Math.max(...claimed.map((e) => Number(e.id)));
      for (const [workspaceId, set] of byWorkspace) {
        const active = await this.cache.active(workspaceId, tx);
        const activeById = new Map(active.map((a) => [a.journeyId, a]));
        const statesOfWorkspace = [...stateRows.values()].filter((r) => r.workspaceId === workspaceId);
        const journeyIds = [...new Set(statesOfWorkspace.map((r) => r.journeyId))];
        const statuses = await this.cache.statuses(workspaceId, journeyIds, tx);
        const history = active.some((a) => a.needsHistory)
          ? await this.#loadHistory(tx, workspaceId, [...set], maxId)
          : new Map();
        for (const e of claimed) {
          if (e.workspace_id !== workspaceId) continue;
          const contact = contactRows.get(key(workspaceId, e.contact_id));
          if (!contact) continue;
          const properties = typeof e.properties === 'string' ? JSON.parse(e.properties) : e.properties;
          const event: RuntimeEvent = { event: e.name, at: asDate(e.at).getTime(), properties };
          const target = typeof properties.journey === 'string' ? properties.journey : undefined;
          const candidates = new Map<string, { versionId: string; state: ContactJourneyState | undefined }>();
          for (const row of statesOfWorkspace) {
            if (row.contactId !== contact.id || statuses.get(row.journeyId) !== 'active') continue;
            const state = row.state as unknown as ContactJourneyState;
            const version =
              state.runs.length > 0 ? row.versionId : (activeById.get(row.journeyId)?.versionId ?? row.versionId);
            candidates.set(row.journeyId, { versionId: version, state });
          }
          for (const a of active)
            if (!candidates.has(a.journeyId) && (a.enrolEvents === 'any' || a.enrolEvents.has(e.name)))
              candidates.set(a.journeyId, { versionId: a.versionId, state: undefined });
          for (const [journeyId, { versionId, state }] of candidates) {
            if (target !== undefined && target !== journeyId) continue;
            const journey = await this.cache.version(versionId, tx);
            if (!journey) continue;
            const input: AdvanceInput = e.name === 'journey.enrol' ? { kind: 'manual' } : { kind: 'event', event };
            const activeEntry: ActiveJourney | undefined = activeById.get(journeyId);
            const current = batch.states.get(key(workspaceId, journeyId, contact.id));
            const r = advance(journey, (current?.state as unknown as ContactJourneyState | undefined) ?? state, input, {
              now,
              contact: { id: contact.id, attributes: contact.attributes, suppressed: contact.suppressed },
              history: activeEntry?.needsHistory ? (history.get(contact.id) ?? []) : [],
              stats: await this.#armStats(tx, workspaceId, versionId),
            });
            if (r.steps.length === 0 && r.effects.length === 0 && state === undefined && r.state.runs.length === 0)
              continue;
            for (const error of r.errors)
              this.services.log.warn('event not applied', {
                journeyId,
                contactId: contact.id,
                event: e.name,
                code: error.code,
                message: error.message,
              });
            batch.record(workspaceId, journeyId, versionId, journey, contact, r, now);
          }
        }
      }
      await this.#write(tx, batch);
      await tx
        .update(events)
        .set({ processedAt: new Date(now) })
        .where(
          inArray(
            events.id,
            claimed.map((e) => Number(e.id)),
          ),
        );
      return claimed.length;
    });
  }

  /** Advances up to `limit` runs whose wake time has come (timers, timeouts, retries). */
  async processDue(limit = 500): Promise<{ runs: number; transitions: number }> {
    const { db } = this.services;
    return db.transaction(async (tx) => {
      const due = rowsOf<{ workspace_id: string; journey_id: string; contact_id: string }>(
        await tx.execute(sql`
          select s.workspace_id, s.journey_id, s.contact_id from ${journeyStates} s
          where s.wake_at <= now() and exists (
            select 1 from journeys j where j.workspace_id = s.workspace_id and j.id = s.journey_id and j.status = 'active')
          order by s.wake_at limit ${limit} for update of s skip locked`),
      );
      if (due.length === 0) return { runs: 0, transitions: 0 };
      const now = Date.now();
      const byWorkspace = new Map<string, Set<string>>();
      for (const d of due) {
        const set = byWorkspace.get(d.workspace_id) ?? new Set();
        set.add(d.contact_id);
        byWorkspace.set(d.workspace_id, set);
      }
      const rows: StateRow[] = [];
      for (const [workspaceId, set] of byWorkspace) {
        const journeyIds = [...new Set(due.filter((d) => d.workspace_id === workspaceId).map((d) => d.journey_id))];
        rows.push(
          ...(await tx
            .select()
            .from(journeyStates)
            .where(
              and(
                eq(journeyStates.workspaceId, workspaceId),
                inArray(journeyStates.contactId, [...set]),
                inArray(journeyStates.journeyId, journeyIds),
              ),
            )),
        );
      }
      const wanted = new Set(due.map((d) => key(d.workspace_id, d.journey_id, d.contact_id)));
      const contactRows = await this.#loadContacts(tx, byWorkspace);
      const batch = new Batch();
      for (const row of rows) {
        if (!wanted.has(key(row.workspaceId, row.journeyId, row.contactId))) continue;
        const contact = contactRows.get(key(row.workspaceId, row.contactId));
        const journey = await this.cache.version(row.versionId, tx);
        if (!contact || !journey) continue;
        const active = (await this.cache.active(row.workspaceId, tx)).find((a) => a.journeyId === row.journeyId);
        const history = active?.needsHistory
          ? ((await this.#loadHistory(tx, row.workspaceId, [contact.id], Number.MAX_SAFE_INTEGER)).get(contact.id) ??
            [])
          : [];
        const r = advance(
          journey,
          row.state as unknown as ContactJourneyState,
          { kind: 'timer' },
          {
            now,
            contact: { id: contact.id, attributes: contact.attributes, suppressed: contact.suppressed },
            history,
            stats: await this.#armStats(tx, row.workspaceId, row.versionId),
          },
        );
        batch.record(row.workspaceId, row.journeyId, row.versionId, journey, contact, r, now);
      }
      await this.#write(tx, batch);
      return { runs: due.length, transitions: batch.transitions };
    });
  }
}
