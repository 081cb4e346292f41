import { bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { workspaces } from './schema.ts';

/** Counts of an import's rows flagged as suspicious (imported all the same). */
export interface ImportFlagCounts {
  disposable: number;
  role: number;
  typo: number;
}

/**
 * A bulk contact import (CSV or JSON lines) and its running counts, updated after every chunk so
 * that a client can show progress. Dry runs are not recorded.
 */
export const contactImports = pgTable(
  'contact_imports',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    format: text('format').$type<'csv' | 'ndjson'>().notNull(),
    status: text('status').$type<'running' | 'done' | 'failed'>().notNull().default('running'),
    actor: text('actor').notNull(),
    /** Data rows read so far (the header line of a CSV is not a row). */
    rowsRead: integer('rows_read').notNull().default(0),
    /** Rows that created or updated a contact. */
    imported: integer('imported').notNull().default(0),
    /** Rows skipped as invalid (bad syntax, no address, unreadable row). */
    invalid: integer('invalid').notNull().default(0),
    /** Rows merged into an earlier row of the same file with the same normalised address. */
    duplicates: integer('duplicates').notNull().default(0),
    /** Rows whose address is on the suppression list (or erased): not imported. */
    suppressed: integer('suppressed').notNull().default(0),
    /** Rows whose address belongs to another contact id already: not imported. */
    conflicts: integer('conflicts').notNull().default(0),
    flagged: jsonb('flagged').$type<ImportFlagCounts>().notNull().default({ disposable: 0, role: 0, typo: 0 }),
    /** Report entries not stored past the cap (counts stay exact). */
    reportOverflow: integer('report_overflow').notNull().default(0),
    error: text('error'),
    /** The file row the error is about, when the file could not be read on (e.g. an unclosed quote). */
    errorRow: integer('error_row'),
    /** Data rows whose chunk was committed: what a failed import kept. */
    rowsCommitted: integer('rows_committed').notNull().default(0),
    /** The first file row not committed (header line = row 1), where to resume; null once done. */
    resumeFromRow: integer('resume_from_row'),
    /** The row the import started at when it resumed an earlier one (rows before it were skipped). */
    startRow: integer('start_row'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

/** The per-row report of an import: errors (row skipped) and warnings (row imported but flagged). */
export const contactImportIssues = pgTable(
  'contact_import_issues',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    importId: text('import_id').notNull(),
    /** Row of the file, 1-based, counting a CSV's header line as row 1. */
    row: integer('row').notNull(),
    severity: text('severity').$type<'error' | 'warning'>().notNull(),
    field: text('field').notNull(),
    code: text('code').notNull(),
    message: text('message').notNull(),
    suggestion: text('suggestion'),
  },
  (t) => [index('contact_import_issues_order').on(t.workspaceId, t.importId, t.seq)],
);
