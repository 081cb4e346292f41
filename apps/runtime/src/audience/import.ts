import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { and, eq, sql } from 'drizzle-orm';
import { newId } from '../crypto.ts';
import { recordAudit } from '../db/audit.ts';
import type { Db, Tx } from '../db/client.ts';
import { erasedAddressKey } from '../db/erased.ts';
import { contactImports, type ImportFlagCounts } from '../db/imports-schema.ts';
import { rowsOf } from '../db/rows.ts';
import { checkAddress, type HygieneFlag } from './hygiene.ts';

/** One data row of an import file, parsed but not yet checked. */
export interface ImportRow {
  /** Row of the file, 1-based; a CSV's header line is row 1. */
  row: number;
  id?: string | undefined;
  email?: string | undefined;
  attributes: Record<string, unknown>;
  /** Set when the row could not be read at all. */
  error?: { field: string; code: string; message: string };
}

/** One entry of an import's report. */
export interface ImportIssue {
  row: number;
  severity: 'error' | 'warning';
  field: string;
  code: string;
  message: string;
  suggestion: string | null;
}

/** An import's counts: every row read lands in exactly one of imported, invalid, duplicates, suppressed, conflicts. */
export interface ImportSummary {
  id: string;
  format: 'csv' | 'ndjson';
  dryRun: boolean;
  status: 'running' | 'done' | 'failed';
  rowsRead: number;
  imported: number;
  invalid: number;
  duplicates: number;
  suppressed: number;
  conflicts: number;
  /** Imported rows flagged as suspicious, per category (a row may carry several flags). */
  flagged: ImportFlagCounts;
  /** Report entries beyond the stored cap (the counts above stay exact). */
  reportOverflow: number;
  error: string | null;
  /** The file row the error is about, when the file could not be read on (e.g. an unclosed quote). */
  errorRow: number | null;
  /** Data rows whose chunk was committed (all of them once done; what a failed import kept). */
  rowsCommitted: number;
  /** The first file row not committed, to resume from (`startRow`); null once done and for dry runs. */
  resumeFromRow: number | null;
  /** The row this import started at, when it resumed an earlier one. */
  startRow: number | null;
}

/** Rows per transaction. */
export const importChunkSize = 1000;
/** Report entries kept per import (errors and warnings); more are counted in `reportOverflow`. */
export const maxReportEntries = 100_000;
/** Report entries a dry run returns in its response. */
export const maxDryRunEntries = 1000;

const flagIssue: Record<HygieneFlag, { code: string; message: (email: string) => string }> = {
  disposable: { code: 'disposable_domain', message: (e) => `${e} uses a disposable (throwaway) email domain` },
  role: { code: 'role_account', message: (e) => `${e} is a role account (a shared mailbox, not a person)` },
  typo: { code: 'possible_typo', message: (e) => `the domain of ${e} looks like a misspelling` },
};

const idColumns = new Set(['id', 'contact_id', 'contactid']);
const emailColumns = new Set(['email', 'e-mail', 'email_address', 'emailaddress']);

/** Reads CSV rows (header line first) from a byte stream without holding the file in memory. */
export async function* csvRows(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<ImportRow> {
  const parser = parse({ bom: true, trim: true, relax_column_count: true, skip_empty_lines: true });
  const source = Readable.from(body);
  source.on('error', (e) => parser.destroy(e));
  source.pipe(parser);
  let header: string[] | undefined;
  let idAt = -1;
  let emailAt = -1;
  let row = 0;
  for await (const record of csvRecords(parser)) {
    row++;
    if (!header) {
      header = record.map((h) => h.trim());
      idAt = header.findIndex((h) => idColumns.has(h.toLowerCase()));
      emailAt = header.findIndex((h) => emailColumns.has(h.toLowerCase()));
      if (emailAt < 0) throw new ImportFormatError(1, 'the header line has no "email" column');
      continue;
    }
    if (record.length > header.length) {
      yield {
        row,
        attributes: {},
        error: {
          field: '(row)',
          code: 'column_count',
          message: `${record.length} cells where the header has ${header.length} columns`,
        },
      };
      continue;
    }
    const attributes: Record<string, unknown> = {};
    for (let i = 0; i < record.length; i++) {
      if (i === idAt || i === emailAt) continue;
      const name = header[i] as string;
      const value = record[i] as string;
      if (name !== '' && value !== '') attributes[name] = value;
    }
    yield {
      row,
      id: idAt >= 0 && record[idAt] ? record[idAt] : undefined,
      email: record[emailAt] || undefined,
      attributes,
    };
  }
  if (!header) throw new ImportFormatError(1, 'the file is empty: a CSV import needs a header line with "email"');
}

/** The parser's records, its errors turned into errors naming the file row (the record) at fault. */
async function* csvRecords(parser: AsyncIterable<string[]>): AsyncGenerator<string[]> {
  try {
    yield* parser;
  } catch (e) {
    const { code, records } = e as { code?: unknown; records?: unknown };
    if (typeof code !== 'string' || !code.startsWith('CSV_') || typeof records !== 'number') throw e;
    // csv-parse names the line where it gave up (for an unclosed quote, the file's end); the record
    // it could not finish is the row to fix.
    throw new ImportFormatError(
      records + 1,
      code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'a quoted cell is never closed: its opening " has no closing " (the rest of the file was read into it)'
        : (e as Error).message,
    );
  }
}

/** Reads JSON-lines rows (`{"email": …, "id": …, "attributes": {…}, …}`; other keys become attributes). */
export async function* ndjsonRows(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<ImportRow> {
  const decoder = new TextDecoder();
  let pending = '';
  let row = 0;
  function* lines(text: string): Generator<ImportRow> {
    row++;
    const line = text.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      yield { row, attributes: {}, error: { field: '(row)', code: 'invalid_json', message: (e as Error).message } };
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield {
        row,
        attributes: {},
        error: { field: '(row)', code: 'invalid_json', message: 'a line must be an object' },
      };
      return;
    }
    const { id, email, attributes, ...rest } = value as Record<string, unknown>;
    if (
      attributes !== undefined &&
      (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes))
    ) {
      yield { row, attributes: {}, error: { field: 'attributes', code: 'invalid_type', message: 'must be an object' } };
      return;
    }
    if (email !== undefined && typeof email !== 'string') {
      yield { row, attributes: {}, error: { field: 'email', code: 'invalid_type', message: 'must be a string' } };
      return;
    }
    if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') {
      yield { row, attributes: {}, error: { field: 'id', code: 'invalid_type', message: 'must be a string' } };
      return;
    }
    yield {
      row,
      id: id === undefined ? undefined : String(id),
      email,
      attributes: { ...rest, ...((attributes as Record<string, unknown> | undefined) ?? {}) },
    };
  }
  for await (const chunk of body) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      yield* lines(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
    }
    if (pending.length > 10_000_000) throw new ImportFormatError(row + 1, 'a line is longer than 10 MB');
  }
  pending += decoder.decode();
  if (pending.trim() !== '') yield* lines(pending);
}

/** The file cannot be read on (broken CSV quoting, no header): the import stops as failed. */
export class ImportFormatError extends Error {
  constructor(
    readonly row: number,
    message: string,
  ) {
    super(`row ${row}: ${message}`);
  }
}

/** 53-bit string hash (cyrb53): the duplicate check keeps numbers, not every address of the file. */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The contact a chunk writes: one per distinct address of the chunk. */
interface Entry {
  /** The row of the file that first named this address, when it is in this chunk. */
  primaryRow: number | undefined;
  id: string | undefined;
  /** Lowercased address to resolve the contact by. */
  lookup: string;
  /** Address to store (null: leave the stored one, for duplicates of rows of earlier chunks). */
  email: string | null;
  /** Extra keys to check against the suppression list (normalised key, erased-address hash). */
  suppressionKeys: string[];
  attributes: Record<string, unknown>;
}

/** What to import, from where, for whom. */
export interface ImportOptions {
  workspaceId: string;
  id?: string | undefined;
  format: 'csv' | 'ndjson';
  dryRun: boolean;
  actor: string;
  ip?: string | undefined;
  rows: AsyncIterable<ImportRow>;
  /** Resume an earlier import: rows of the file before this one are skipped (a CSV's header is still read). */
  startRow?: number | undefined;
  /** Runs in each chunk's transaction with the ids written (the live audience refreshes them). */
  afterChunk?: ((tx: Tx, contactIds: string[]) => Promise<unknown>) | undefined;
}

/**
 * Imports contacts chunk by chunk, each chunk in one transaction with the import's progress: invalid
 * rows are reported and skipped, duplicates (by normalised address) merged and counted, suspicious
 * rows imported and flagged in the report, suppressed and erased addresses counted and not imported.
 * A dry run reads the database but writes nothing and returns the first report entries. When the
 * file breaks late, the chunks before stay committed: `rowsCommitted` and `resumeFromRow` say how far.
 */
export async function runImport(
  db: Db,
  options: ImportOptions,
): Promise<{ summary: ImportSummary; issues: ImportIssue[] }> {
  const { workspaceId, dryRun } = options;
  const id = options.id ?? newId('imp_');
  const summary: ImportSummary = {
    id,
    format: options.format,
    dryRun,
    status: 'running',
    rowsRead: 0,
    imported: 0,
    invalid: 0,
    duplicates: 0,
    suppressed: 0,
    conflicts: 0,
    flagged: { disposable: 0, role: 0, typo: 0 },
    reportOverflow: 0,
    error: null,
    errorRow: null,
    rowsCommitted: 0,
    resumeFromRow: dryRun ? null : Math.max(options.startRow ?? 1, options.format === 'csv' ? 2 : 1),
    startRow: options.startRow ?? null,
  };
  const startRow = options.startRow ?? 1;
  const kept: ImportIssue[] = [];
  let stored = 0;
  if (!dryRun)
    await db.insert(contactImports).values({
      workspaceId,
      id,
      format: options.format,
      actor: options.actor,
      resumeFromRow: summary.resumeFromRow,
      startRow: summary.startRow,
    });

  /** First row of each normalised address seen, by hash. */
  const seen = new Map<number, number>();
  /** For addresses whose first row gave an id or a differently spelled Gmail address: who it was. */
  const firstIdentity = new Map<number, { id: string | undefined; email: string }>();

  let entries = new Map<number, Entry>();
  let issues: ImportIssue[] = [];
  let rowsInChunk = 0;
  let lastRow = 0;
  const report = (issue: ImportIssue) => issues.push(issue);

  const accept = (r: ImportRow) => {
    summary.rowsRead++;
    rowsInChunk++;
    lastRow = r.row;
    if (r.error) {
      summary.invalid++;
      report({ row: r.row, severity: 'error', ...r.error, suggestion: null });
      return;
    }
    const rowId = r.id?.trim() || undefined;
    if (rowId !== undefined && rowId.length > 200) {
      summary.invalid++;
      report({
        row: r.row,
        severity: 'error',
        field: 'id',
        code: 'too_long',
        message: 'at most 200 characters',
        suggestion: null,
      });
      return;
    }
    if (!r.email?.trim()) {
      summary.invalid++;
      report({
        row: r.row,
        severity: 'error',
        field: 'email',
        code: 'missing',
        message: 'no email address',
        suggestion: null,
      });
      return;
    }
    const check = checkAddress(r.email);
    if (!check.valid) {
      summary.invalid++;
      report({
        row: r.row,
        severity: 'error',
        field: 'email',
        code: check.code,
        message: check.message,
        suggestion: null,
      });
      return;
    }
    for (const key of Object.keys(r.attributes)) if (key.length > 200) delete r.attributes[key];
    const h = hash53(check.key);
    const first = seen.get(h);
    const existing = entries.get(h);
    if (first !== undefined) {
      summary.duplicates++;
      report({
        row: r.row,
        severity: 'warning',
        field: 'email',
        code: 'duplicate',
        message: `same address as row ${first}: merged into it`,
        suggestion: null,
      });
      if (existing) {
        Object.assign(existing.attributes, r.attributes);
        return;
      }
      const identity = firstIdentity.get(h);
      entries.set(h, {
        primaryRow: undefined,
        id: identity?.id,
        lookup: identity ? identity.email.toLowerCase() : check.key,
        email: null,
        suppressionKeys: [],
        attributes: { ...r.attributes },
      });
      return;
    }
    seen.set(h, r.row);
    const lower = check.email.toLowerCase();
    if (rowId !== undefined || lower !== check.key) firstIdentity.set(h, { id: rowId, email: check.email });
    for (const flag of check.flags) {
      summary.flagged[flag]++;
      report({
        row: r.row,
        severity: 'warning',
        field: 'email',
        code: flagIssue[flag].code,
        message: flagIssue[flag].message(check.email),
        suggestion: flag === 'typo' ? (check.suggestion ?? null) : null,
      });
    }
    entries.set(h, {
      primaryRow: r.row,
      id: rowId,
      lookup: lower,
      email: check.email,
      suppressionKeys: lower === check.key ? [erasedAddressKey(lower)] : [check.key, erasedAddressKey(lower)],
      attributes: { ...r.attributes },
    });
  };

  // One chunk is written while the next is read and checked: the database and the parser overlap.
  // Chunks still reach the database one after the other, each after the one before committed (a
  // duplicate of an earlier chunk's row resolves to the contact that row created).
  let inFlight: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;
  const write = async (chunk: Entry[], chunkIssues: ImportIssue[], rows: { count: number; last: number }) => {
    const contactRows = await resolveChunk(db, workspaceId, chunk, summary, chunkIssues);
    chunkIssues.sort((x, y) => x.row - y.row);
    if (dryRun) {
      for (const i of chunkIssues) if (kept.length < maxDryRunEntries) kept.push(i);
      return;
    }
    const room = Math.max(0, maxReportEntries - stored);
    const toStore = chunkIssues.slice(0, room);
    summary.reportOverflow += chunkIssues.length - toStore.length;
    stored += toStore.length;
    const committed = { rowsCommitted: summary.rowsCommitted + rows.count, resumeFromRow: rows.last + 1 };
    const { afterChunk } = options;
    if (afterChunk)
      await db.transaction(async (tx) => {
        await writeChunk(tx, workspaceId, summary, committed, contactRows, toStore);
        await afterChunk(
          tx,
          contactRows.map((r) => r.id),
        );
      });
    else await writeChunk(db, workspaceId, summary, committed, contactRows, toStore);
    Object.assign(summary, committed);
  };
  const flush = async () => {
    const chunk = [...entries.values()];
    const chunkIssues = issues;
    const rows = { count: rowsInChunk, last: lastRow };
    entries = new Map();
    issues = [];
    rowsInChunk = 0;
    await inFlight;
    if (failure) throw failure.error;
    inFlight = write(chunk, chunkIssues, rows).catch((error: unknown) => {
      failure = { error };
    });
  };

  try {
    for await (const r of options.rows) {
      if (r.row < startRow) continue;
      accept(r);
      if (rowsInChunk >= importChunkSize) await flush();
    }
    if (rowsInChunk > 0 || entries.size > 0) await flush();
    await inFlight;
    if (failure) throw failure.error;
    summary.status = 'done';
    summary.resumeFromRow = null;
    if (!dryRun)
      await db.transaction(async (tx) => {
        await saveProgress(tx, workspaceId, summary);
        await recordAudit(tx, {
          workspaceId,
          actor: options.actor,
          action: 'contacts.imported',
          subjectType: 'import',
          subjectId: id,
          details: {
            format: summary.format,
            rowsRead: summary.rowsRead,
            imported: summary.imported,
            invalid: summary.invalid,
            duplicates: summary.duplicates,
            suppressed: summary.suppressed,
            conflicts: summary.conflicts,
            flagged: summary.flagged,
            ...(summary.startRow === null ? {} : { startRow: summary.startRow }),
          },
          ip: options.ip,
        });
      });
  } catch (e) {
    await inFlight;
    summary.status = 'failed';
    summary.error = e instanceof ImportFormatError ? e.message : `import stopped: ${(e as Error).message}`;
    summary.errorRow = e instanceof ImportFormatError ? e.row : null;
    if (!dryRun) await saveProgress(db, workspaceId, summary).catch(() => {});
    throw Object.assign(e as Error, { importSummary: summary });
  }
  return { summary, issues: kept };
}

async function saveProgress(db: Db | Tx, workspaceId: string, s: ImportSummary): Promise<void> {
  await db
    .update(contactImports)
    .set({
      status: s.status,
      rowsRead: s.rowsRead,
      imported: s.imported,
      invalid: s.invalid,
      duplicates: s.duplicates,
      suppressed: s.suppressed,
      conflicts: s.conflicts,
      flagged: s.flagged,
      reportOverflow: s.reportOverflow,
      error: s.error,
      errorRow: s.errorRow,
      rowsCommitted: s.rowsCommitted,
      resumeFromRow: s.resumeFromRow,
      updatedAt: sql`now()`,
      ...(s.status === 'running' ? {} : { finishedAt: sql`now()` }),
    })
    .where(and(eq(contactImports.workspaceId, workspaceId), eq(contactImports.id, s.id)));
}

interface ContactRow {
  id: string;
  email: string | null;
  attributes: Record<string, unknown>;
}

/**
 * Checks one chunk against the suppression list and the contacts there are (one query), counts
 * suppressed, conflicting and imported rows, and returns the contacts to write, by id.
 */
async function resolveChunk(
  db: Db,
  workspaceId: string,
  chunk: Entry[],
  summary: ImportSummary,
  issues: ImportIssue[],
): Promise<ContactRow[]> {
  if (chunk.length === 0) return [];
  const keys = new Set<string>();
  const lookups = new Set<string>();
  for (const e of chunk) {
    keys.add(e.lookup);
    lookups.add(e.lookup);
    for (const k of e.suppressionKeys) keys.add(k);
  }
  const found = rowsOf<{ kind: 's' | 'o'; email: string; id: string | null }>(
    await db.execute(sql`
      select 's' as kind, email, null::text as id from suppressions
      where workspace_id = ${workspaceId}
        and email = any(array(select jsonb_array_elements_text(${JSON.stringify([...keys])}::jsonb)))
      union all
      select 'o' as kind, lower(email) as email, id from contacts
      where workspace_id = ${workspaceId}
        and lower(email) = any(array(select jsonb_array_elements_text(${JSON.stringify([...lookups])}::jsonb)))`),
  );
  const suppressed = new Set<string>();
  const ownerOf = new Map<string, string>();
  for (const f of found) {
    if (f.kind === 's') suppressed.add(f.email);
    else ownerOf.set(f.email, f.id as string);
  }
  const byId = new Map<string, ContactRow>();
  for (const e of chunk) {
    if (suppressed.has(e.lookup) || e.suppressionKeys.some((k) => suppressed.has(k))) {
      if (e.primaryRow !== undefined) {
        summary.suppressed++;
        issues.push({
          row: e.primaryRow,
          severity: 'warning',
          field: 'email',
          code: 'suppressed',
          message: 'the address is on the suppression list: not imported',
          suggestion: null,
        });
      }
      continue;
    }
    const owner = ownerOf.get(e.lookup);
    if (e.id !== undefined && owner !== undefined && owner !== e.id) {
      if (e.primaryRow !== undefined) {
        summary.conflicts++;
        issues.push({
          row: e.primaryRow,
          severity: 'error',
          field: 'email',
          code: 'email_taken',
          message: `another contact ("${owner}") already has this address`,
          suggestion: null,
        });
      }
      continue;
    }
    const id = e.id ?? owner ?? newId('c_');
    if (e.id === undefined && owner === undefined) ownerOf.set(e.lookup, id);
    const prev = byId.get(id);
    byId.set(id, {
      id,
      email: e.email ?? prev?.email ?? null,
      attributes: { ...(prev?.attributes ?? {}), ...e.attributes },
    });
    if (e.primaryRow !== undefined) summary.imported++;
  }
  // In id order, so that concurrent writers lock contact rows in the same order.
  return [...byId.values()].sort((x, y) => (x.id < y.id ? -1 : 1));
}

/**
 * Writes one chunk in one statement (so atomically): the contacts upserted (attributes merged),
 * the report entries, the import's progress. Its commit does not wait for the WAL flush: a crash
 * loses at most the last moments of a still-running import (left "running"; importing again is
 * idempotent), and the final status commits synchronously before the client hears "done".
 */
async function writeChunk(
  db: Db | Tx,
  workspaceId: string,
  s: ImportSummary,
  committed: { rowsCommitted: number; resumeFromRow: number },
  contactRows: ContactRow[],
  issues: ImportIssue[],
): Promise<void> {
  await db.execute(sql`
    with upserted as (
      insert into contacts (workspace_id, id, email, attributes)
      select ${workspaceId}, x.id, x.email, x.attributes
      from jsonb_to_recordset(${JSON.stringify(contactRows)}::jsonb) as x(id text, email text, attributes jsonb)
      on conflict (workspace_id, id) do update set
        email = coalesce(excluded.email, contacts.email),
        attributes = contacts.attributes || excluded.attributes,
        updated_at = now()
    ), reported as (
      insert into contact_import_issues (workspace_id, import_id, "row", severity, field, code, message, suggestion)
      select ${workspaceId}, ${s.id}, x."row", x.severity, x.field, x.code, x.message, x.suggestion
      from jsonb_to_recordset(${JSON.stringify(issues.map((i, n) => ({ ...i, n })))}::jsonb)
        as x("row" integer, severity text, field text, code text, message text, suggestion text, n integer)
      order by x.n
    ), progress as (
      update contact_imports set
        rows_read = ${s.rowsRead}, imported = ${s.imported}, invalid = ${s.invalid},
        duplicates = ${s.duplicates}, suppressed = ${s.suppressed}, conflicts = ${s.conflicts},
        flagged = ${JSON.stringify(s.flagged)}::jsonb, report_overflow = ${s.reportOverflow},
        rows_committed = ${committed.rowsCommitted}, resume_from_row = ${committed.resumeFromRow}, updated_at = now()
      where workspace_id = ${workspaceId} and id = ${s.id}
    )
    select set_config('synchronous_commit', 'off', true)`);
}
