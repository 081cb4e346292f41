import { createRoute, z } from '@hono/zod-openapi';
import { and, desc, eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { type Principal, requireWholeWorkspace } from '../api/auth.ts';
import { bearerSecurity, errorResponses, jsonResponse, newRouter } from '../api/openapi.ts';
import { devInbox } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import type { Services } from '../services.ts';
import { emailPreviewDocument } from '../templates/sandbox.ts';

const summarySchema = z
  .object({
    id: z.number().int(),
    receivedAt: z.string(),
    envelope: z.object({ from: z.string().nullable(), to: z.array(z.string()) }),
    subject: z.string().nullable(),
    messageId: z.string().nullable(),
  })
  .openapi('DevInboxMessageSummary');

const messageSchema = summarySchema
  .extend({
    from: z.string().nullable(),
    to: z.string().nullable(),
    date: z.string().nullable(),
    headers: z.array(z.object({ name: z.string(), value: z.string() })),
    html: z.string().nullable(),
    text: z.string().nullable(),
    previewHtml: z
      .string()
      .nullable()
      .openapi({ description: 'The HTML body prepared for a sandboxed iframe (no scripts; links open a new tab).' }),
    size: z.number().int(),
  })
  .openapi('DevInboxMessage');

function ensureSinkInUse(services: Services): void {
  if (services.config.smtpUrl !== undefined)
    throw new ApiError('not_found', 'the development inbox is off: mail goes to the server in SMTP_URL');
}

/** The inbox holds mail of every journey of the workspace, so a token limited to one journey may not read it. */
function inboxWorkspaceOf(p: Principal): string {
  requireWholeWorkspace(p, 'the development inbox');
  return p.workspaceId;
}

function summaryOf(row: typeof devInbox.$inferSelect): z.infer<typeof summarySchema> {
  return {
    id: row.id,
    receivedAt: row.receivedAt.toISOString(),
    envelope: { from: row.envelopeFrom, to: row.envelopeTo },
    subject: row.subject,
    messageId: row.messageId,
  };
}

/**
 * `GET /dev/inbox` and `GET /dev/inbox/{id}` (mounted under `/v1`): the messages the development SMTP
 * sink caught for the caller's workspace, newest first, and one of them parsed. Mail that carries no
 * valid workspace mark (not sent by Waymark's delivery) is listed to no one. Editor tokens limited to
 * one journey get 403: the inbox spans every journey. Answers 404 when a real SMTP server is configured.
 */
export function devInboxRoutes(services: Services) {
  const router = newRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/dev/inbox',
      security: bearerSecurity,
      summary: 'List the messages caught by the development SMTP sink, newest first',
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }) },
      responses: {
        200: jsonResponse(z.object({ messages: z.array(summarySchema) }), 'Messages'),
        400: errorResponses[400],
        401: errorResponses[401],
        403: errorResponses[403],
        404: errorResponses[404],
      },
    }),
    async (c) => {
      ensureSinkInUse(services);
      const workspaceId = inboxWorkspaceOf(c.get('principal'));
      const { limit } = c.req.valid('query');
      const rows = await services.db
        .select({
          id: devInbox.id,
          receivedAt: devInbox.receivedAt,
          envelopeFrom: devInbox.envelopeFrom,
          envelopeTo: devInbox.envelopeTo,
          subject: devInbox.subject,
          messageId: devInbox.messageId,
        })
        .from(devInbox)
        .where(eq(devInbox.workspaceId, workspaceId))
        .orderBy(desc(devInbox.id))
        .limit(limit);
      return c.json({ messages: rows.map((r) => summaryOf({ ...r, workspaceId, raw: '' })) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/dev/inbox/{id}',
      security: bearerSecurity,
      summary: 'One message caught by the development SMTP sink, parsed',
      request: { params: z.object({ id: z.coerce.number().int().positive() }) },
      responses: {
        200: jsonResponse(messageSchema, 'The message'),
        400: errorResponses[400],
        401: errorResponses[401],
        403: errorResponses[403],
        404: errorResponses[404],
      },
    }),
    async (c) => {
      ensureSinkInUse(services);
      const workspaceId = inboxWorkspaceOf(c.get('principal'));
      const { id } = c.req.valid('param');
      const [row] = await services.db
        .select()
        .from(devInbox)
        .where(and(eq(devInbox.id, id), eq(devInbox.workspaceId, workspaceId)));
      if (!row) throw new ApiError('not_found', `message ${id} is not in the development inbox`);
      const parsed = await simpleParser(row.raw, { skipImageLinks: true });
      const html = typeof parsed.html === 'string' ? parsed.html : null;
      return c.json(
        {
          ...summaryOf(row),
          from: parsed.from?.text ?? null,
          to: (Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : parsed.to?.text) ?? null,
          date: parsed.date?.toISOString() ?? null,
          headers: parsed.headerLines.map((h) => {
            const colon = h.line.indexOf(':');
            return {
              name: h.line.slice(0, colon),
              value: h.line
                .slice(colon + 1)
                .replace(/\r?\n[ \t]+/g, ' ')
                .trim(),
            };
          }),
          html,
          text: parsed.text ?? null,
          previewHtml: html === null ? null : emailPreviewDocument(html),
          size: Buffer.byteLength(row.raw),
        },
        200,
      );
    },
  );

  return router;
}
