import {
  contactTimeZone,
  evaluateCondition,
  type JourneySettings,
  parseDuration,
  parseTimeOfDay,
  quietWindowEnd,
} from '@waymark/nodes';
import { and, eq, gt, inArray, isNotNull, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { contactPreferences, type EmailFrequency } from '../db/preferences-schema.ts';
import { consents, events, journeyVersions, outbox, templates } from '../db/schema.ts';
import type { EmailRow, Outcome } from './email-queue.ts';

/** The window of the "at most one email a week" preference (`weekly`): one marketing email in it, the others skipped. */
const weekMs = 7 * 86_400_000;

const settingsCache = new Map<string, JourneySettings>();

/** What the send-time checks decide for an email: an outcome, `hold` it for the weekly digest, or undefined to send it. */
export type Verdict = Outcome | 'hold' | undefined;

/**
 * The journey rules checked again when an email is about to go out, because time has passed since
 * the interpreter queued it: quiet hours (defer), the frequency cap (skip), and exit goals reached
 * since it was queued (skip); and the contact's own choices: consent per topic (skip), a pause of
 * all email (skip, `paused`), the weekly frequency preference, at most one marketing email — one
 * whose template has a topic — per 7 days (skip, `frequency_preference`), and the weekly digest
 * preference (hold a marketing email that passed every other check for the digest). Loaded for a
 * whole batch in a few queries.
 */
export async function loadSendPolicy(db: Db, rows: readonly EmailRow[]) {
  const versionIds = [...new Set(rows.map((r) => r.versionId))].filter((v) => !settingsCache.has(v));
  if (versionIds.length > 0) {
    const found = await db
      .select({ id: journeyVersions.id, definition: journeyVersions.definition })
      .from(journeyVersions)
      .where(inArray(journeyVersions.id, versionIds));
    for (const v of found)
      settingsCache.set(v.id, ((v.definition as { settings?: JourneySettings }).settings ?? {}) as JourneySettings);
  }
  const settingsOf = (row: EmailRow): JourneySettings => settingsCache.get(row.versionId) ?? {};

  // Goals: events named in exitOn that arrived after the email was queued.
  const goalNames = [...new Set(rows.flatMap((r) => (settingsOf(r).exitOn ?? []).map((g) => g.event)))];
  const goalEvents = new Map<string, { name: string; at: Date; properties: Record<string, unknown> }[]>();
  if (goalNames.length > 0) {
    const since = new Date(Math.min(...rows.map((r) => r.createdAt.getTime())));
    const found = await db
      .select({
        workspaceId: events.workspaceId,
        contactId: events.contactId,
        name: events.name,
        at: events.at,
        properties: events.properties,
        receivedAt: events.receivedAt,
      })
      .from(events)
      .where(
        and(
          inArray(events.workspaceId, [...new Set(rows.map((r) => r.workspaceId))]),
          inArray(events.contactId, [...new Set(rows.map((r) => r.contactId))]),
          inArray(events.name, goalNames),
          gt(events.receivedAt, since),
        ),
      );
    for (const e of found) {
      const key = `${e.workspaceId}\u0000${e.contactId}`;
      goalEvents.set(key, [
        ...(goalEvents.get(key) ?? []),
        { name: e.name, at: e.receivedAt, properties: e.properties },
      ]);
    }
  }

  // Frequency caps: emails this journey already sent each contact within the largest window.
  const capped = rows.filter((r) => settingsOf(r).frequencyCap);
  const sentTimes = new Map<string, number[]>();
  if (capped.length > 0) {
    const longest = Math.max(...capped.map((r) => windowMs(settingsOf(r).frequencyCap?.per ?? 'P0D')));
    const found = await db
      .select({
        workspaceId: outbox.workspaceId,
        journeyId: outbox.journeyId,
        contactId: outbox.contactId,
        doneAt: outbox.doneAt,
      })
      .from(outbox)
      .where(
        and(
          eq(outbox.status, 'sent'),
          inArray(outbox.contactId, [...new Set(capped.map((r) => r.contactId))]),
          inArray(outbox.journeyId, [...new Set(capped.map((r) => r.journeyId))]),
          sql`${outbox.doneAt} > now() - (${longest} * interval '1 millisecond')`,
        ),
      );
    for (const s of found) {
      const key = `${s.workspaceId}\u0000${s.journeyId}\u0000${s.contactId}`;
      sentTimes.set(key, [...(sentTimes.get(key) ?? []), s.doneAt?.getTime() ?? 0]);
    }
  }

  // Consent: an email whose template has a topic is not sent to a contact who withdrew that topic.
  const templateIds = [
    ...new Set(rows.map((r) => r.payload.template).filter((t): t is string => typeof t === 'string')),
  ];
  const topics = new Map<string, string>();
  const withdrawn = new Set<string>();
  if (templateIds.length > 0) {
    const found = await db
      .select({ workspaceId: templates.workspaceId, id: templates.id, topic: templates.topic })
      .from(templates)
      .where(
        and(
          inArray(templates.workspaceId, [...new Set(rows.map((r) => r.workspaceId))]),
          inArray(templates.id, templateIds),
        ),
      );
    for (const t of found) if (t.topic) topics.set(`${t.workspaceId}\u0000${t.id}`, t.topic);
    if (topics.size > 0) {
      const refused = await db
        .select({ workspaceId: consents.workspaceId, contactId: consents.contactId, topic: consents.topic })
        .from(consents)
        .where(
          and(
            inArray(consents.contactId, [...new Set(rows.map((r) => r.contactId))]),
            eq(consents.status, 'withdrawn'),
          ),
        );
      for (const c of refused) withdrawn.add(`${c.workspaceId}\u0000${c.contactId}\u0000${c.topic}`);
    }
  }

  // Preferences set on the preference center: a pause, a weekly digest, and for weekly contacts the
  // marketing emails sent them in the last 7 days.
  const preferences = new Map<string, { frequency: EmailFrequency; pausedUntil: number }>();
  const marketingSent = new Map<string, number[]>();
  const preferenceRows = await db
    .select({
      workspaceId: contactPreferences.workspaceId,
      contactId: contactPreferences.contactId,
      frequency: contactPreferences.frequency,
      pausedUntil: contactPreferences.pausedUntil,
    })
    .from(contactPreferences)
    .where(
      and(
        inArray(contactPreferences.workspaceId, [...new Set(rows.map((r) => r.workspaceId))]),
        inArray(contactPreferences.contactId, [...new Set(rows.map((r) => r.contactId))]),
        or(inArray(contactPreferences.frequency, ['weekly', 'digest']), isNotNull(contactPreferences.pausedUntil)),
      ),
    );
  for (const p of preferenceRows)
    preferences.set(`${p.workspaceId}\u0000${p.contactId}`, {
      frequency: p.frequency,
      pausedUntil: p.pausedUntil?.getTime() ?? 0,
    });
  const weekly = preferenceRows.filter((p) => p.frequency === 'weekly');
  if (weekly.length > 0) {
    const found = await db
      .select({ workspaceId: outbox.workspaceId, contactId: outbox.contactId, doneAt: outbox.doneAt })
      .from(outbox)
      .innerJoin(
        templates,
        and(eq(templates.workspaceId, outbox.workspaceId), eq(templates.id, sql`${outbox.payload}->>'template'`)),
      )
      .where(
        and(
          eq(outbox.kind, 'email'),
          eq(outbox.status, 'sent'),
          inArray(outbox.workspaceId, [...new Set(weekly.map((p) => p.workspaceId))]),
          inArray(outbox.contactId, [...new Set(weekly.map((p) => p.contactId))]),
          isNotNull(templates.topic),
          gt(outbox.doneAt, new Date(Date.now() - weekMs)),
        ),
      );
    for (const s of found) {
      const key = `${s.workspaceId}\u0000${s.contactId}`;
      marketingSent.set(key, [...(marketingSent.get(key) ?? []), s.doneAt?.getTime() ?? 0]);
    }
  }

  /** What to do with `row` now. */
  return (row: EmailRow, attributes: Readonly<Record<string, unknown>>, now = Date.now()): Verdict => {
    const settings = settingsOf(row);
    const topic = topics.get(`${row.workspaceId}\u0000${String(row.payload.template)}`);
    if (topic !== undefined && withdrawn.has(`${row.workspaceId}\u0000${row.contactId}\u0000${topic}`))
      return { status: 'skipped', reason: 'consent', metric: 'skipped:consent' };
    const contactKey = `${row.workspaceId}\u0000${row.contactId}`;
    const preference = preferences.get(contactKey);
    if (preference && preference.pausedUntil > now)
      return { status: 'skipped', reason: 'paused', metric: 'skipped:paused' };
    const weekly = preference?.frequency === 'weekly' && topic !== undefined;
    if (weekly && (marketingSent.get(contactKey) ?? []).some((t) => t > now - weekMs))
      return { status: 'skipped', reason: 'frequency_preference', metric: 'skipped:frequency_preference' };
    for (const e of goalEvents.get(`${row.workspaceId}\u0000${row.contactId}`) ?? []) {
      if (e.at.getTime() <= row.createdAt.getTime()) continue;
      const goal = (settings.exitOn ?? []).find(
        (g) => g.event === e.name && (!g.where || evaluateCondition(g.where, { attributes: e.properties, now })),
      );
      if (goal) return { status: 'skipped', reason: 'goal', metric: 'skipped:goal' };
    }
    const zone = contactTimeZone({ id: row.contactId, attributes }, settings);
    const quiet = settings.quietHours;
    if (quiet) {
      const start = parseTimeOfDay(quiet.start);
      const end = parseTimeOfDay(quiet.end);
      const until = start && end ? quietWindowEnd(now, start, end, zone) : null;
      if (until !== null) return { status: 'retry', error: null, delayMs: until - now, counts: false };
    }
    const cap = settings.frequencyCap;
    if (cap) {
      const since = now - windowMs(cap.per);
      const sent = (sentTimes.get(`${row.workspaceId}\u0000${row.journeyId}\u0000${row.contactId}`) ?? []).filter(
        (t) => t > since,
      );
      if (sent.length >= cap.max) return { status: 'skipped', reason: 'frequencyCap', metric: 'skipped:frequencyCap' };
    }
    // Held for the digest only once nothing else stops it: what would be skipped now is not kept.
    if (preference?.frequency === 'digest' && topic !== undefined) return 'hold';
    // A second marketing email for the same weekly contact in this batch must wait for next week too.
    if (weekly) marketingSent.set(contactKey, [...(marketingSent.get(contactKey) ?? []), now]);
    return undefined;
  };
}

/** A duration as milliseconds, counting a day as 24 hours (close enough for a send-time cap window). */
function windowMs(duration: string): number {
  const d = parseDuration(duration);
  if (!d) return 0;
  return ((d.years * 365 + d.months * 30 + d.weeks * 7 + d.days) * 86_400_000 + d.exactMs) * d.sign;
}
