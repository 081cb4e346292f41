import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { workspaces } from './schema.ts';

/**
 * A workspace's AI safeguards. A workspace without a row uses the installation default
 * (WAYMARK_BANNED_WORDS); a row with an empty list bans nothing.
 */
export const workspaceAiSettings = pgTable('workspace_ai_settings', {
  workspaceId: text('workspace_id')
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  /** Words or phrases no generated subject line may contain (whole words, case-insensitive). */
  bannedWords: jsonb('banned_words').$type<string[]>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  /** The actor of the last change, as in the audit trail. */
  updatedBy: text('updated_by').notNull(),
});
