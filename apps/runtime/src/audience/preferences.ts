import { and, asc, count, eq, sql } from 'drizzle-orm';
import { recordAudit } from '../db/audit.ts';
import type { Db, Tx } from '../db/client.ts';
import { contactPreferences, type EmailFrequency, topics } from '../db/preferences-schema.ts';
import { consents, contacts, heldEmails, outbox, suppressions, workspaces } from '../db/schema.ts';
import { gatherDigest } from '../delivery/digest.ts';

/** The pauses a contact can choose, in days. */
export const pauseDays = [7, 30, 90] as const;

/** The source recorded on consent records and audit entries written by the preference center. */
export const preferenceCenterSource = 'preference-center';

/** Whom a preference-center link belongs to: the contact a message went to. */
export interface PreferenceTarget {
  workspaceId: string;
  contactId: string;
  messageId: number;
}

/** Where a change came from, kept as evidence with consent records and in the audit trail. */
export interface PreferenceEvidence {
  ip: string | undefined;
  userAgent: string | undefined;
}

/** What the preference center shows a contact. */
export interface PreferenceState {
  workspaceName: string;
  email: string | null;
  /** The address is on the suppression list: no email at all is sent. */
  suppressed: boolean;
  topics: { id: string; name: string; description: string; subscribed: boolean }[];
  frequency: EmailFrequency;
  /** Set while a pause is running. */
  pausedUntil: Date | null;
  /** Marketing emails held for the contact's next weekly digest. */
  heldForDigest: number;
}

/** A contact's choices as posted by the preference center form. */
export interface PreferenceChoice {
  /** Topics shown on the form and whether each stays subscribed; topics not listed are left as they are. */
  topics: ReadonlyMap<string, boolean>;
  frequency: EmailFrequency;
  /** `keep` leaves a running pause alone, `none` ends it, a number pauses that many days from now. */
  pause: 'keep' | 'none' | (typeof pauseDays)[number];
}

/** The contact of a message, or undefined when the message or its contact no longer exists (erased). */
export async function findPreferenceTarget(db: Db, messageId: number): Promise<PreferenceTarget | undefined> {
  const [row] = await db
    .select({ workspaceId: outbox.workspaceId, contactId: outbox.contactId })
    .from(outbox)
    .innerJoin(contacts, and(eq(contacts.workspaceId, outbox.workspaceId), eq(contacts.id, outbox.contactId)))
    .where(and(eq(outbox.id, messageId), eq(outbox.kind, 'email')));
  return row ? { ...row, messageId } : undefined;
}

/** A contact's delivery preferences for a GDPR export; null when they never set any. */
export async function preferencesOf(
  db: Db | Tx,
  workspaceId: string,
  contactId: string,
): Promise<{ frequency: EmailFrequency; pausedUntil: string | null; updatedAt: string } | null> {
  const [row] = await db
    .select()
    .from(contactPreferences)
    .where(and(eq(contactPreferences.workspaceId, workspaceId), eq(contactPreferences.contactId, contactId)));
  if (!row) return null;
  return {
    frequency: row.frequency,
    pausedUntil: row.pausedUntil?.toISOString() ?? null,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * The emails held for a contact's weekly digest, for a GDPR export: the message, its subject and
 * text as rendered, when it was held, and the digest that gathered it (null until one does).
 */
export async function heldEmailsOf(
  db: Db | Tx,
  workspaceId: string,
  contactId: string,
): Promise<{ message: number; subject: string; text: string; heldAt: string; digest: number | null }[]> {
  const rows = await db
    .select({
      message: outbox.id,
      subject: heldEmails.subject,
      text: heldEmails.text,
      heldAt: heldEmails.heldAt,
      digest: outbox.digestId,
    })
    .from(outbox)
    .innerJoin(heldEmails, eq(heldEmails.outboxId, outbox.id))
    .where(and(eq(outbox.workspaceId, workspaceId), eq(outbox.contactId, contactId), eq(outbox.status, 'held')))
    .orderBy(asc(outbox.id));
  return rows.map((r) => ({ ...r, heldAt: r.heldAt.toISOString() }));
}

/** Loads what the preference center shows; undefined when the contact is gone. */
export async function loadPreferenceState(
  db: Db | Tx,
  target: Omit<PreferenceTarget, 'messageId'>,
  now = new Date(),
): Promise<PreferenceState | undefined> {
  const { workspaceId, contactId } = target;
  const [contact] = await db
    .select({ email: contacts.email, workspaceName: workspaces.name })
    .from(contacts)
    .innerJoin(workspaces, eq(workspaces.id, contacts.workspaceId))
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)));
  if (!contact) return undefined;
  const email = contact.email?.trim().toLowerCase() || null;
  const [topicRows, consentRows, prefRows, suppressed, held] = await Promise.all([
    db.select().from(topics).where(eq(topics.workspaceId, workspaceId)).orderBy(asc(topics.name), asc(topics.id)),
    db
      .select({ topic: consents.topic, status: consents.status })
      .from(consents)
      .where(and(eq(consents.workspaceId, workspaceId), eq(consents.contactId, contactId))),
    db
      .select()
      .from(contactPreferences)
      .where(and(eq(contactPreferences.workspaceId, workspaceId), eq(contactPreferences.contactId, contactId))),
    email
      ? db
          .select({ email: suppressions.email })
          .from(suppressions)
          .where(and(eq(suppressions.workspaceId, workspaceId), eq(suppressions.email, email)))
      : Promise.resolve([]),
    db
      .select({ n: count() })
      .from(outbox)
      .where(and(eq(outbox.workspaceId, workspaceId), eq(outbox.contactId, contactId), eq(outbox.status, 'held'))),
  ]);
  const withdrawn = new Set(consentRows.filter((c) => c.status === 'withdrawn').map((c) => c.topic));
  const pref = prefRows[0];
  const pausedUntil = pref?.pausedUntil && pref.pausedUntil.getTime() > now.getTime() ? pref.pausedUntil : null;
  return {
    workspaceName: contact.workspaceName,
    email,
    suppressed: suppressed.length > 0,
    // No record means subscribed: consent is only ever checked for withdrawals at send time.
    topics: topicRows.map((t) => ({
      id: t.id,
      name: t.name,
      description: t.description,
      subscribed: !withdrawn.has(t.id),
    })),
    frequency: pref?.frequency ?? 'every',
    pausedUntil,
    heldForDigest: Number(held[0]?.n ?? 0),
  };
}

/**
 * Applies a contact's choices at once, in one transaction: a consent record (source
 * `preference-center`, evidence ip and user agent) for each topic whose status changes, the
 * frequency and pause, and an audit entry for every change. Leaving the weekly digest for another
 * frequency releases what it held: gathered into one digest, due at once (`released` counts the
 * emails; the caller wakes delivery). Returns what changed.
 */
export async function savePreferences(
  db: Db,
  target: PreferenceTarget,
  choice: PreferenceChoice,
  evidence: PreferenceEvidence,
  now = new Date(),
): Promise<{ consents: number; preferences: boolean; released: number } | undefined> {
  return db.transaction(async (tx) => {
    const state = await loadPreferenceState(tx, target, now);
    if (!state) return undefined;
    const { workspaceId, contactId } = target;
    const proof = { ip: evidence.ip ?? null, userAgent: evidence.userAgent ?? null, message: target.messageId };
    const audit = (action: string, details: Record<string, unknown>) =>
      recordAudit(tx, {
        workspaceId,
        actor: 'contact',
        action,
        subjectType: 'contact',
        subjectId: contactId,
        details: { source: preferenceCenterSource, ...details },
        ip: evidence.ip,
      });

    let changedConsents = 0;
    for (const topic of state.topics) {
      const wanted = choice.topics.get(topic.id);
      if (wanted === undefined || wanted === topic.subscribed) continue;
      const status = wanted ? 'granted' : 'withdrawn';
      await tx
        .insert(consents)
        .values({
          workspaceId,
          contactId,
          topic: topic.id,
          status,
          source: preferenceCenterSource,
          evidence: proof,
          at: now,
        })
        .onConflictDoUpdate({
          target: [consents.workspaceId, consents.contactId, consents.topic],
          set: { status, source: preferenceCenterSource, evidence: proof, at: now },
        });
      await audit(`consent.${status}`, { topic: topic.id, evidence: proof });
      changedConsents++;
    }

    const pausedUntil =
      choice.pause === 'keep'
        ? state.pausedUntil
        : choice.pause === 'none'
          ? null
          : new Date(now.getTime() + choice.pause * 86_400_000);
    const changed = choice.frequency !== state.frequency || pausedUntil?.getTime() !== state.pausedUntil?.getTime();
    if (changed) {
      await tx
        .insert(contactPreferences)
        .values({ workspaceId, contactId, frequency: choice.frequency, pausedUntil, updatedAt: now })
        .onConflictDoUpdate({
          target: [contactPreferences.workspaceId, contactPreferences.contactId],
          set: { frequency: choice.frequency, pausedUntil, updatedAt: sql`excluded.updated_at` },
        });
      await audit('contact.preferences_changed', {
        frequency: choice.frequency,
        pausedUntil: pausedUntil?.toISOString() ?? null,
        previous: { frequency: state.frequency, pausedUntil: state.pausedUntil?.toISOString() ?? null },
        evidence: proof,
      });
    }
    const released =
      state.frequency === 'digest' && choice.frequency !== 'digest'
        ? ((await gatherDigest(tx, workspaceId, contactId))?.emails ?? 0)
        : 0;
    return { consents: changedConsents, preferences: changed, released };
  });
}
