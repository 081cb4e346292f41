import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { workspaces } from './schema.ts';

/**
 * How often a contact wants marketing email: every one, at most one per 7 days (`weekly`, the others
 * skipped), or gathered into one digest email a week (`digest`).
 */
export type EmailFrequency = 'every' | 'weekly' | 'digest';

/**
 * The topics a workspace sends about (a template's `topic` names one), listed on the preference
 * center so that a contact can opt out of each.
 */
export const topics = pgTable(
  'topics',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

/** A contact's delivery preferences set on the preference center; no row means every email, no pause. */
export const contactPreferences = pgTable(
  'contact_preferences',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    contactId: text('contact_id').notNull(),
    frequency: text('frequency').$type<EmailFrequency>().notNull().default('every'),
    /** No email at all is sent before this time. */
    pausedUntil: timestamp('paused_until', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.contactId] })],
);
