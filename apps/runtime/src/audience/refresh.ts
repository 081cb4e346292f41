import {
  type Condition,
  contactTimeZone,
  evaluateCondition,
  type HistoryEvent,
  type JourneySettings,
  nextConditionChange,
} from '@waymark/nodes';
import { sql } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { schedulerChannel } from '../db/events.ts';
import { rowsOf } from '../db/rows.ts';
import type { Services } from '../services.ts';
import { audienceAffected, type DateTrigger, featuresOf } from './features.ts';
import { nextRfmChange, type RfmValues, refreshRfm } from './rfm.ts';
import { textList } from './sql-list.ts';

/** How far back segment conditions see events (as far as journeys see them). */
const historyDays = 400;
const noSettings = {} as JourneySettings;

/** The runtime's clock: the `clock` override in tests, else the system clock. */
export function nowOf(services: Pick<Services, 'clock'>): number {
  return services.clock?.() ?? Date.now();
}

/** What changed for the contacts being refreshed. */
export interface AudienceChange {
  /** Names of events just recorded for them. */
  eventNames?: Iterable<string>;
  /** Whether their attributes may have changed. */
  attributesChanged?: boolean;
  /** Recompute RFM whatever the events (rechecks, settings changes). */
  rfm?: boolean;
  /** Refresh even when the change looks irrelevant (background passes). */
  force?: boolean;
  /** Read segments and journeys from the database, not the cache (background passes). */
  fresh?: boolean;
}

interface LoadedContact {
  id: string;
  email: string | null;
  attributes: Record<string, unknown>;
  members: string[] | null;
  history: { n: string; at: number | string; p: Record<string, unknown> }[] | null;
}

/** A date-trigger schedule row to write (due null: none, drop it). */
interface DateRow {
  j: string;
  n: string;
  c: string;
  t: string | null;
}

/** The next enrolment of a contact by a date trigger after `after`, or null. */
export function nextDateEnrolment(
  d: DateTrigger,
  contact: { id: string; attributes: Record<string, unknown> },
  after: number,
): number | null {
  try {
    return (
      d.trigger.nodeType.nextEnrolment?.(d.trigger.config, contact, after, contactTimeZone(contact, d.settings)) ?? null
    );
  } catch {
    // A custom date trigger that throws schedules nothing for this contact.
    return null;
  }
}

/**
 * Brings the live audience of some contacts up to date inside the caller's transaction, after their
 * attributes or events changed or a re-evaluation came due: RFM values, segment membership (entering
 * records `segment.entered`, leaving `segment.left`, which enrol and exit journeys like any event),
 * the next re-evaluation instant, and the next date-trigger enrolments. Two to four statements
 * whatever the number of contacts; none when the workspace uses no segments, RFM or date triggers.
 *
 * Segments still being computed in the background (new or edited) change membership silently: the
 * contacts who matched when the segment was saved were not "entering" it.
 */
export async function refreshAudience(
  tx: Tx,
  services: Pick<Services, 'db' | 'registry' | 'clock'>,
  workspaceId: string,
  contactIds: readonly string[],
  change: AudienceChange = {},
): Promise<{ entered: number; left: number }> {
  const none = { entered: 0, left: 0 };
  if (contactIds.length === 0) return none;
  const f = await featuresOf(services, workspaceId, tx, { fresh: change.fresh ?? false });
  if (f.empty || (!change.force && !change.rfm && !audienceAffected(f, change))) return none;
  const now = nowOf(services);
  const ids = [...new Set(contactIds)].sort();
  if (f.rfm && (change.rfm || change.force || [...(change.eventNames ?? [])].includes(f.rfm.purchaseEvent)))
    await refreshRfm(tx, workspaceId, f.rfm, ids, now);
  if (f.segments.length === 0 && f.dates.length === 0 && !f.rfm) return none;

  const eventNames = [...f.segmentEvents];
  const since = new Date(now - historyDays * 86_400_000).toISOString();
  const [loaded] = rowsOf<{ contacts: unknown; computing: unknown }>(
    await tx.execute(sql`
      select
        (select json_agg(json_build_object(
          'id', c.id, 'email', c.email, 'attributes', c.attributes,
          'members', (select json_agg(m.segment_id) from segment_members m
                      where m.workspace_id = c.workspace_id and m.contact_id = c.id),
          'history', case when ${eventNames.length > 0} then (
            select json_agg(json_build_object('n', e.name, 'at', floor(extract(epoch from e.at) * 1000)::bigint,
              'p', e.properties) order by e.at)
            from events e where e.workspace_id = c.workspace_id and e.contact_id = c.id
              and e.name = any(${textList(eventNames)}) and e.at > ${since}::timestamptz) end
        ) order by c.id)
         from contacts c where c.workspace_id = ${workspaceId} and c.id = any(${textList(ids)})) as contacts,
        (select json_agg(target) from audience_scans where workspace_id = ${workspaceId} and kind = 'segment') as computing`),
  );
  const contacts = jsonOf<LoadedContact[] | null>(loaded?.contacts) ?? [];
  const computing = jsonOf<string[] | null>(loaded?.computing) ?? [];

  const enter: { s: string; c: string }[] = [];
  const leave: { s: string; c: string }[] = [];
  const recheck: { c: string; t: string }[] = [];
  const noRecheck: string[] = [];
  const dateRows: DateRow[] = [];
  for (const c of contacts) {
    const history: HistoryEvent[] = (c.history ?? []).map((h) => ({
      event: h.n,
      at: Number(h.at),
      properties: h.p ?? {},
    }));
    const attributes = { email: c.email, ...c.attributes };
    const zone = contactTimeZone({ id: c.id, attributes }, noSettings);
    const members = new Set(c.members ?? []);
    let next = Number.POSITIVE_INFINITY;
    for (const s of f.segments) {
      const scope = { attributes, history, now, zone };
      const matches = evaluateCondition(s.condition, scope);
      if (matches && !members.has(s.id)) enter.push({ s: s.id, c: c.id });
      else if (!matches && members.has(s.id)) leave.push({ s: s.id, c: c.id });
      const change = nextConditionChange(s.condition as Condition, scope);
      if (change !== null && change < next) next = change;
    }
    const rfm = c.attributes.rfm as RfmValues | undefined;
    if (f.rfm && rfm && typeof rfm.last_purchase_at === 'string') next = Math.min(next, nextRfmChange(rfm, now));
    if (Number.isFinite(next)) recheck.push({ c: c.id, t: new Date(next).toISOString() });
    else noRecheck.push(c.id);
    for (const d of f.dates) {
      const due = nextDateEnrolment(d, { id: c.id, attributes: c.attributes }, now);
      dateRows.push({
        j: d.journeyId,
        n: d.trigger.node.id,
        c: c.id,
        t: due === null ? null : new Date(due).toISOString(),
      });
    }
  }
  await writeRefresh(tx, workspaceId, now, { enter, leave, recheck, noRecheck, dateRows, silent: computing });
  return { entered: enter.length, left: leave.length };
}

const jsonOf = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

/**
 * Writes a refresh in one statement. Membership rows decide who records the event: only the
 * transaction whose insert (or delete) took effect records `segment.entered` (`segment.left`), so
 * two concurrent refreshes of one contact enter it once. A date enrolment already due (waiting for
 * the worker) is left alone.
 */
async function writeRefresh(
  tx: Tx,
  workspaceId: string,
  now: number,
  w: {
    enter: { s: string; c: string }[];
    leave: { s: string; c: string }[];
    recheck: { c: string; t: string }[];
    noRecheck: string[];
    dateRows: DateRow[];
    silent: string[];
  },
): Promise<void> {
  const at = new Date(now).toISOString();
  const dueDates = w.dateRows.filter((d) => d.t !== null);
  const noDates = w.dateRows.filter((d) => d.t === null);
  const parts = [
    sql`entered as (
      insert into segment_members (workspace_id, segment_id, contact_id, entered_at)
      select ${workspaceId}, x.s, x.c, ${at}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(w.enter)}::jsonb) as x(s text, c text)
      order by x.c, x.s
      on conflict do nothing
      returning segment_id, contact_id)`,
    sql`gone as (
      delete from segment_members m using jsonb_to_recordset(${JSON.stringify(w.leave)}::jsonb) as x(s text, c text)
      where m.workspace_id = ${workspaceId} and m.segment_id = x.s and m.contact_id = x.c
      returning m.segment_id, m.contact_id)`,
    sql`recorded as (
      insert into events (workspace_id, contact_id, name, at, properties)
      select ${workspaceId}, contact_id, name, ${at}::timestamptz, jsonb_build_object('segment', segment_id)
      from (
        select contact_id, segment_id, 'segment.entered' as name from entered
        union all select contact_id, segment_id, 'segment.left' from gone
      ) t
      where segment_id <> all(${textList(w.silent)})
      order by contact_id, name desc, segment_id
      returning 1)`,
    sql`rechecked as (
      insert into segment_rechecks (workspace_id, contact_id, due_at)
      select ${workspaceId}, x.c, x.t from jsonb_to_recordset(${JSON.stringify(w.recheck)}::jsonb) as x(c text, t timestamptz)
      on conflict (workspace_id, contact_id) do update set due_at = excluded.due_at
      returning 1)`,
    sql`unchecked as (
      delete from segment_rechecks
      where workspace_id = ${workspaceId} and contact_id = any(${textList(w.noRecheck)})
      returning 1)`,
    sql`dated as (
      insert into date_enrolments (workspace_id, journey_id, node, contact_id, due_at)
      select ${workspaceId}, x.j, x.n, x.c, x.t
      from jsonb_to_recordset(${JSON.stringify(dueDates)}::jsonb) as x(j text, n text, c text, t timestamptz)
      on conflict (workspace_id, journey_id, node, contact_id) do update set due_at = excluded.due_at
        where date_enrolments.due_at > ${at}::timestamptz
      returning 1)`,
    sql`undated as (
      delete from date_enrolments d using jsonb_to_recordset(${JSON.stringify(noDates)}::jsonb) as x(j text, n text, c text)
      where d.workspace_id = ${workspaceId} and d.journey_id = x.j and d.node = x.n and d.contact_id = x.c
        and d.due_at > ${at}::timestamptz
      returning 1)`,
  ];
  await tx.execute(sql`
    with ${sql.join(parts, sql`, `)}
    select case when exists (select 1 from recorded) then pg_notify(${schedulerChannel}, '') end as woken,
      (select count(*) from rechecked) + (select count(*) from unchecked) + (select count(*) from dated)
        + (select count(*) from undated) as written`);
}

/** After the scheduler changed contact attributes (`action.updateContact`), in its transaction: refresh those contacts. */
export async function refreshChangedContacts(
  tx: Tx,
  services: Pick<Services, 'db' | 'registry' | 'clock'>,
  changed: Iterable<{ workspaceId: string; id: string }>,
): Promise<void> {
  const byWorkspace = new Map<string, string[]>();
  for (const c of changed) byWorkspace.set(c.workspaceId, [...(byWorkspace.get(c.workspaceId) ?? []), c.id]);
  for (const [workspaceId, ids] of byWorkspace)
    await refreshAudience(tx, services, workspaceId, ids, { attributesChanged: true });
}
