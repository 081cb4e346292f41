import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { workspaces } from './schema.ts';

/**
 * Workspace secrets for node packages (webhook URLs, API tokens), encrypted with AES-256-GCM.
 * `ciphertext` is `v1.<key id>.<iv>.<tag>.<data>` (base64url parts); the value is never stored,
 * returned or logged in clear.
 */
export const workspaceSecrets = pgTable(
  'workspace_secrets',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    ciphertext: text('ciphertext').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.name] })],
);
