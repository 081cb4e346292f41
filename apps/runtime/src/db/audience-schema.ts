import { type AnyPgColumn, foreignKey, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { contacts, segments, workspaces } from './schema.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true });

/** Rows about a contact go when the contact goes (deletion, erasure). */
const contactKey = (t: { workspaceId: AnyPgColumn; contactId: AnyPgColumn }, name: string) =>
  foreignKey({
    name,
    columns: [t.workspaceId, t.contactId],
    foreignColumns: [contacts.workspaceId, contacts.id],
  }).onDelete('cascade');

/** Who is in a segment now, and since when; kept current as contacts and their events change. */
export const segmentMembers = pgTable(
  'segment_members',
  {
    workspaceId: text('workspace_id').notNull(),
    segmentId: text('segment_id').notNull(),
    contactId: text('contact_id').notNull(),
    enteredAt: ts('entered_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.segmentId, t.contactId] }),
    index('segment_members_contact').on(t.workspaceId, t.contactId),
    foreignKey({
      name: 'segment_members_segment_fk',
      columns: [t.workspaceId, t.segmentId],
      foreignColumns: [segments.workspaceId, segments.id],
    }).onDelete('cascade'),
    contactKey(t, 'segment_members_contact_fk'),
  ],
);

/**
 * When a contact's segments must be evaluated again without any new data: the earliest moment an
 * event leaves (or enters) a counted window, or its RFM recency changes. One row per contact.
 */
export const segmentRechecks = pgTable(
  'segment_rechecks',
  {
    workspaceId: text('workspace_id').notNull(),
    contactId: text('contact_id').notNull(),
    dueAt: ts('due_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.contactId] }),
    index('segment_rechecks_due').on(t.dueAt),
    contactKey(t, 'segment_rechecks_contact_fk'),
  ],
);

/** The next date-trigger enrolment of a contact in a journey (one row per journey, trigger node and contact). */
export const dateEnrolments = pgTable(
  'date_enrolments',
  {
    workspaceId: text('workspace_id').notNull(),
    journeyId: text('journey_id').notNull(),
    node: text('node').notNull(),
    contactId: text('contact_id').notNull(),
    dueAt: ts('due_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.journeyId, t.node, t.contactId] }),
    index('date_enrolments_due').on(t.dueAt),
    index('date_enrolments_contact').on(t.workspaceId, t.contactId),
    contactKey(t, 'date_enrolments_contact_fk'),
  ],
);

/**
 * Background passes over all contacts of a workspace, page by page: computing a new or changed
 * segment (`segment`), scheduling a published date-trigger journey (`dates`), recomputing RFM after
 * its settings changed (`rfm`). `cursor` is the last contact id done.
 */
export const audienceScans = pgTable(
  'audience_scans',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<'segment' | 'dates' | 'rfm'>().notNull(),
    target: text('target').notNull(),
    cursor: text('cursor').notNull().default(''),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.kind, t.target] })],
);

/** Per-workspace RFM settings: which event is a purchase, where its amount is, and the score thresholds. */
export const rfmSettings = pgTable('rfm_settings', {
  workspaceId: text('workspace_id')
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  purchaseEvent: text('purchase_event').notNull(),
  amountProperty: text('amount_property').notNull(),
  /** `{ recencyDays, frequency, monetary }`: four ascending thresholds each (see audience/rfm.ts). */
  thresholds: jsonb('thresholds').$type<Record<string, number[]>>().notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});
