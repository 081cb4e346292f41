import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, eq, gt } from 'drizzle-orm';
import {
  csvRows,
  ImportFormatError,
  type ImportRow,
  type ImportSummary,
  ndjsonRows,
  runImport,
} from '../audience/import.ts';
import { refreshAudience } from '../audience/refresh.ts';
import { contactImportIssues, contactImports } from '../db/imports-schema.ts';
import { ApiError, notFound } from '../errors.ts';
import type { Services } from '../services.ts';
import { clientIp } from './client-ip.ts';
import { bearerSecurity, errorResponses, jsonResponse, newRouter } from './openapi.ts';

const importIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'letters, digits, _ and - (at most 100)');

const summarySchema = z
  .object({
    id: z.string(),
    format: z.enum(['csv', 'ndjson']),
    dryRun: z.boolean(),
    status: z.enum(['running', 'done', 'failed']),
    rowsRead: z.number(),
    imported: z.number(),
    invalid: z.number(),
    duplicates: z.number(),
    suppressed: z.number(),
    conflicts: z.number(),
    flagged: z.object({ disposable: z.number(), role: z.number(), typo: z.number() }),
    reportOverflow: z.number(),
    error: z.string().nullable(),
    /** The file row the error is about, when the file could not be read on (e.g. an unclosed quote). */
    errorRow: z.number().nullable(),
    /** Data rows whose chunk was committed: all of them once done; what a failed import kept. */
    rowsCommitted: z.number(),
    /** The first file row (header line = row 1) not committed: pass it as `startRow` to resume. Null once done and for dry runs. */
    resumeFromRow: z.number().nullable(),
    /** The row this import started at, when it resumed an earlier one. */
    startRow: z.number().nullable(),
  })
  .openapi('ContactImport');

const issueSchema = z
  .object({
    row: z.number(),
    severity: z.enum(['error', 'warning']),
    field: z.string(),
    code: z.string(),
    message: z.string(),
    suggestion: z.string().nullable(),
  })
  .openapi('ContactImportIssue');

const csvTypes = ['text/csv', 'application/csv'];
const ndjsonTypes = ['application/x-ndjson', 'application/jsonl', 'application/ndjson'];

/** Bulk contact import (CSV, JSON lines) with list hygiene; progress and the per-row report. */
export function importRoutes(services: Services) {
  const router = newRouter();
  const { db } = services;

  router.openapi(
    createRoute({
      method: 'post',
      path: '/imports',
      security: bearerSecurity,
      description:
        'Imports contacts from a CSV file (header line with an "email" column, optional "id"; other columns become attributes) or JSON lines (`{"email", "id", "attributes"}`), streamed. Invalid rows are reported and skipped, duplicates merged, disposable/role/typo addresses imported and flagged, suppressed addresses not imported. `dryRun=true` writes nothing and returns the first 1,000 report entries. The file is written in chunks of 1,000 rows; when it breaks late, the committed chunks stay and `rowsCommitted`/`resumeFromRow` say how far it got: send the fixed file again with `startRow` set to `resumeFromRow` to import only the rest (importing the whole file again is harmless too: rows are upserted).',
      request: {
        query: z.object({
          dryRun: z.enum(['true', 'false']).optional(),
          id: importIdSchema.optional(),
          startRow: z.coerce.number().int().min(1).optional().openapi({
            description:
              "Resume: skip the file's rows before this one (a CSV's header line is row 1 and is still read); use a failed import's resumeFromRow",
          }),
        }),
        body: {
          required: true,
          content: {
            'text/csv': { schema: z.string() },
            'application/x-ndjson': { schema: z.string() },
          },
        },
      },
      responses: {
        200: jsonResponse(summarySchema.extend({ errors: z.array(issueSchema) }), 'Dry run: what would happen'),
        201: jsonResponse(summarySchema, 'Imported'),
        409: errorResponses[400],
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      if (p.access === 'read') throw new ApiError('forbidden', 'read-only token');
      const query = c.req.valid('query');
      const dryRun = query.dryRun === 'true';
      const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      const format = csvTypes.includes(type) ? 'csv' : ndjsonTypes.includes(type) ? 'ndjson' : undefined;
      if (!format)
        throw new ApiError(
          'invalid_request',
          `content-type must be text/csv or application/x-ndjson, not "${type || '(none)'}"`,
        );
      if (query.id !== undefined) {
        const [taken] = await db
          .select({ id: contactImports.id })
          .from(contactImports)
          .where(and(eq(contactImports.workspaceId, p.workspaceId), eq(contactImports.id, query.id)));
        if (taken) throw new ApiError('conflict', `id: an import "${query.id}" exists already`);
      }
      const body = c.req.raw.body;
      if (!body) throw new ApiError('invalid_request', 'the request has no body');
      const bytes = body as unknown as AsyncIterable<Uint8Array>;
      const rows: AsyncIterable<ImportRow> = format === 'csv' ? csvRows(bytes) : ndjsonRows(bytes);
      try {
        const { summary, issues } = await runImport(db, {
          workspaceId: p.workspaceId,
          id: query.id,
          format,
          dryRun,
          actor: p.actor,
          ip: clientIp(c, services.config.trustProxy),
          rows,
          startRow: query.startRow,
          afterChunk: (tx, ids) => refreshAudience(tx, services, p.workspaceId, ids, { attributesChanged: true }),
        });
        if (dryRun) return c.json({ ...summary, errors: issues }, 200);
        return c.json(summary, 201);
      } catch (e) {
        const summary = (e as { importSummary?: ImportSummary }).importSummary;
        if (e instanceof ImportFormatError || (e as { code?: string }).code?.startsWith('CSV_'))
          throw new ApiError('invalid_request', summary?.error ?? (e as Error).message, { import: summary });
        throw e;
      }
    },
  );

  const params = z.object({ id: importIdSchema.openapi({ param: { name: 'id', in: 'path' } }) });
  const load = async (workspaceId: string, id: string) => {
    const [row] = await db
      .select()
      .from(contactImports)
      .where(and(eq(contactImports.workspaceId, workspaceId), eq(contactImports.id, id)));
    if (!row) throw notFound('import', id);
    return row;
  };

  router.openapi(
    createRoute({
      method: 'get',
      path: '/imports/{id}',
      security: bearerSecurity,
      request: { params },
      responses: {
        200: jsonResponse(
          summarySchema.extend({ createdAt: z.string(), updatedAt: z.string(), finishedAt: z.string().nullable() }),
          'Progress and counts of an import',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const r = await load(p.workspaceId, c.req.valid('param').id);
      return c.json(
        {
          id: r.id,
          format: r.format,
          dryRun: false,
          status: r.status,
          rowsRead: r.rowsRead,
          imported: r.imported,
          invalid: r.invalid,
          duplicates: r.duplicates,
          suppressed: r.suppressed,
          conflicts: r.conflicts,
          flagged: r.flagged,
          reportOverflow: r.reportOverflow,
          error: r.error,
          errorRow: r.errorRow,
          rowsCommitted: r.rowsCommitted,
          resumeFromRow: r.status === 'done' ? null : r.resumeFromRow,
          startRow: r.startRow,
          createdAt: r.createdAt.toISOString(),
          updatedAt: r.updatedAt.toISOString(),
          finishedAt: r.finishedAt?.toISOString() ?? null,
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/imports/{id}/errors',
      security: bearerSecurity,
      request: {
        params,
        query: z.object({
          severity: z.enum(['error', 'warning']).optional(),
          code: z.string().max(100).optional(),
          limit: z.coerce.number().int().min(1).max(10_000).default(1000),
          after: z.coerce.number().int().min(0).optional(),
        }),
      },
      responses: {
        200: jsonResponse(
          z.object({ errors: z.array(issueSchema), next: z.string().nullable() }),
          'The per-row report in row order; pass `next` as `after` for the next page',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const q = c.req.valid('query');
      await load(p.workspaceId, id);
      const filters = [eq(contactImportIssues.workspaceId, p.workspaceId), eq(contactImportIssues.importId, id)];
      if (q.severity) filters.push(eq(contactImportIssues.severity, q.severity));
      if (q.code) filters.push(eq(contactImportIssues.code, q.code));
      if (q.after !== undefined) filters.push(gt(contactImportIssues.seq, q.after));
      // Chunks store their entries in row order, so sequence order is row order.
      const rows = await db
        .select()
        .from(contactImportIssues)
        .where(and(...filters))
        .orderBy(asc(contactImportIssues.seq))
        .limit(q.limit + 1);
      const page = rows.slice(0, q.limit);
      return c.json(
        {
          errors: page.map((r) => ({
            row: r.row,
            severity: r.severity,
            field: r.field,
            code: r.code,
            message: r.message,
            suggestion: r.suggestion,
          })),
          next: rows.length > q.limit ? String(page[page.length - 1]?.seq) : null,
        },
        200,
      );
    },
  );
  return router;
}
