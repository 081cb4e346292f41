import { sql } from 'drizzle-orm';
import { schedulerChannel } from '../db/events.ts';
import { rowsOf } from '../db/rows.ts';
import type { Services } from '../services.ts';
import { featuresOf } from './features.ts';
import { nextDateEnrolment, nowOf, refreshAudience } from './refresh.ts';

/** A date enrolment this late (the journey was paused, the runtime down) is skipped, not sent a day late or worse. */
export const dateGraceMs = 86_400_000;

const jsonOf = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

/**
 * Re-evaluates contacts whose segment answer (or RFM recency) changes with time alone, up to
 * `limit` at once: claimed with SKIP LOCKED (together with their contact rows, so a contact being
 * written elsewhere waits for the next round), removed, and refreshed, which schedules the next one.
 */
export async function processDueRechecks(services: Services, limit = 500): Promise<number> {
  return services.db.transaction(async (tx) => {
    const now = new Date(nowOf(services)).toISOString();
    const claimed = rowsOf<{ workspace_id: string; contact_id: string }>(
      await tx.execute(sql`
        with due as (
          select r.workspace_id, r.contact_id from segment_rechecks r
          join contacts c on c.workspace_id = r.workspace_id and c.id = r.contact_id
          where r.due_at <= ${now}::timestamptz
          order by r.due_at limit ${limit}
          for update of r, c skip locked
        )
        delete from segment_rechecks r using due
        where r.workspace_id = due.workspace_id and r.contact_id = due.contact_id
        returning r.workspace_id, r.contact_id`),
    );
    const byWorkspace = new Map<string, string[]>();
    for (const r of claimed)
      byWorkspace.set(r.workspace_id, [...(byWorkspace.get(r.workspace_id) ?? []), r.contact_id]);
    for (const [workspaceId, ids] of byWorkspace)
      await refreshAudience(tx, services, workspaceId, ids, { force: true, rfm: true });
    return claimed.length;
  });
}

/**
 * Enrols contacts whose date-trigger moment has come, up to `limit` at once: records a
 * `journey.date` event for the journey and trigger node (the scheduler enrols it, honouring the
 * journey's re-entry rule) and schedules the next occurrence (yearly repeats) or drops the row.
 * Rows of journeys that are not active wait; a moment missed by more than {@link dateGraceMs} is skipped.
 */
export async function fireDueDates(services: Services, limit = 500): Promise<number> {
  return services.db.transaction(async (tx) => {
    const now = nowOf(services);
    const due = rowsOf<{
      workspace_id: string;
      journey_id: string;
      node: string;
      contact_id: string;
      due: number | string;
      attributes: unknown;
    }>(
      await tx.execute(sql`
        with due as (
          select d.workspace_id, d.journey_id, d.node, d.contact_id, d.due_at from date_enrolments d
          where d.due_at <= ${new Date(now).toISOString()}::timestamptz and exists (
            select 1 from journeys j where j.workspace_id = d.workspace_id and j.id = d.journey_id and j.status = 'active')
          order by d.due_at limit ${limit}
          for update of d skip locked
        )
        select due.workspace_id, due.journey_id, due.node, due.contact_id,
          floor(extract(epoch from due.due_at) * 1000)::bigint as due, c.attributes
        from due join contacts c on c.workspace_id = due.workspace_id and c.id = due.contact_id`),
    );
    if (due.length === 0) return 0;
    const events: { w: string; c: string; n: string; a: string; p: Record<string, unknown> }[] = [];
    const next: { w: string; j: string; n: string; c: string; t: string | null }[] = [];
    for (const d of due) {
      const at = Number(d.due);
      const find = async (fresh: boolean) =>
        (await featuresOf(services, d.workspace_id, tx, { fresh })).dates.find(
          (x) => x.journeyId === d.journey_id && x.trigger.node.id === d.node,
        );
      // A journey published a moment ago may not be in this process's cache yet: look again before dropping the row.
      const trigger = (await find(false)) ?? (await find(true));
      const attributes = jsonOf<Record<string, unknown>>(d.attributes);
      if (trigger && now - at <= dateGraceMs)
        events.push({
          w: d.workspace_id,
          c: d.contact_id,
          n: 'journey.date',
          a: new Date(at).toISOString(),
          p: { journey: d.journey_id, node: d.node },
        });
      const following = trigger
        ? nextDateEnrolment(trigger, { id: d.contact_id, attributes }, Math.max(at, now))
        : null;
      next.push({
        w: d.workspace_id,
        j: d.journey_id,
        n: d.node,
        c: d.contact_id,
        t: following === null ? null : new Date(following).toISOString(),
      });
    }
    await tx.execute(sql`
      with recorded as (
        insert into events (workspace_id, contact_id, name, at, properties)
        select w, c, n, a, p from jsonb_to_recordset(${JSON.stringify(events)}::jsonb)
          as x(w text, c text, n text, a timestamptz, p jsonb)
        returning 1
      ), moved as (
        update date_enrolments d set due_at = x.t
        from jsonb_to_recordset(${JSON.stringify(next.filter((x) => x.t !== null))}::jsonb)
          as x(w text, j text, n text, c text, t timestamptz)
        where d.workspace_id = x.w and d.journey_id = x.j and d.node = x.n and d.contact_id = x.c
        returning 1
      ), dropped as (
        delete from date_enrolments d
        using jsonb_to_recordset(${JSON.stringify(next.filter((x) => x.t === null))}::jsonb)
          as x(w text, j text, n text, c text)
        where d.workspace_id = x.w and d.journey_id = x.j and d.node = x.n and d.contact_id = x.c
        returning 1
      )
      select case when exists (select 1 from recorded) then pg_notify(${schedulerChannel}, '') end,
        (select count(*) from moved) + (select count(*) from dropped) as n`);
    return due.length;
  });
}
