import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, eq } from 'drizzle-orm';
import { newId } from '../crypto.ts';
import type { Db, Tx } from '../db/client.ts';
import { contacts, templates } from '../db/schema.ts';
import { composeEmail } from '../delivery/mime.ts';
import { bareAddress, createSmtpTransport } from '../delivery/smtp.ts';
import { ApiError, notFound } from '../errors.ts';
import type { Services } from '../services.ts';
import { renderEmail } from '../templates/render.ts';
import { RenderError } from '../templates/render-error.ts';
import { emailPreviewDocument } from '../templates/sandbox.ts';
import { emailSchema } from './contacts.ts';
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, newRouter } from './openapi.ts';

const idSchema = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,99}$/, 'must be 1–100 letters, digits, _ or -');
const templateInput = z.object({
  name: z.string().trim().min(1).max(200),
  subject: z.string().trim().min(1).max(500),
  mjml: z.string().min(1).max(1_000_000),
  /** GrapesJS project data, kept so the designer reopens exactly what was saved. */
  project: z.record(z.string(), z.unknown()).optional(),
  topic: z.string().max(100).optional(),
});
const templateSchema = templateInput.extend({ id: z.string(), updatedAt: z.string() }).openapi('Template');
const params = z.object({ id: idSchema.openapi({ param: { name: 'id', in: 'path' } }) });
const sampleContact = z
  .object({
    contactId: z.string().optional(),
    contact: z
      .object({ email: emailSchema.optional(), attributes: z.record(z.string(), z.unknown()).optional() })
      .optional(),
  })
  .default({});

type TemplateRow = typeof templates.$inferSelect;
const present = (r: TemplateRow) => ({
  id: r.id,
  name: r.name,
  subject: r.subject,
  mjml: r.mjml,
  ...(r.project ? { project: r.project } : {}),
  ...(r.topic ? { topic: r.topic } : {}),
  updatedAt: r.updatedAt.toISOString(),
});

/** Renders once with a sample contact so a broken template is refused when saved, naming the field. */
async function checkRenders(template: { subject: string; mjml: string }) {
  try {
    await renderEmail({
      template,
      contact: { id: 'sample', email: 'sample@example.com', attributes: {} },
      links: { unsubscribeUrl: 'https://example.invalid/u' },
    });
  } catch (e) {
    if (e instanceof RenderError) throw e.toApiError();
    throw e;
  }
}

/** A template of the workspace; `not_found` naming it when there is none. */
export async function loadTemplate(db: Db | Tx, workspaceId: string, id: string): Promise<TemplateRow> {
  const [row] = await db
    .select()
    .from(templates)
    .where(and(eq(templates.workspaceId, workspaceId), eq(templates.id, id)));
  if (!row) throw notFound('template', id);
  return row;
}

/** A contact as a template is rendered for. */
export interface PreviewContact {
  id: string;
  email: string | null;
  attributes: Record<string, unknown>;
}

/** A contact of the workspace, as templates see it; `not_found` naming it when there is none. */
export async function loadContact(db: Db | Tx, workspaceId: string, id: string): Promise<PreviewContact> {
  const [row] = await db
    .select({ id: contacts.id, email: contacts.email, attributes: contacts.attributes })
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, id)));
  if (!row) throw notFound('contact', id);
  return row;
}

/**
 * Renders a preview (with the links a preview carries: the unsubscribe link points at `/u/preview`);
 * a template that does not render becomes a 400 naming the field at fault.
 */
export async function renderForPreview<T>(
  services: Pick<Services, 'config'>,
  render: (links: { unsubscribeUrl: string }) => Promise<T>,
): Promise<T> {
  try {
    return await render({ unsubscribeUrl: `${services.config.publicUrl}/u/preview` });
  } catch (e) {
    if (e instanceof RenderError) throw e.toApiError();
    throw e;
  }
}

/** Email templates: GrapesJS project plus MJML; preview with a contact; send a test. */
export function templateRoutes(services: Services) {
  const router = newRouter();
  const { db } = services;

  const contactFor = async (workspaceId: string, sample: z.infer<typeof sampleContact>) =>
    sample.contactId !== undefined
      ? await loadContact(db, workspaceId, sample.contactId)
      : { id: 'preview', email: sample.contact?.email ?? null, attributes: sample.contact?.attributes ?? {} };
  const render = (row: TemplateRow, contact: PreviewContact) =>
    renderForPreview(services, (links) => renderEmail({ template: row, contact, links }));

  router.openapi(
    createRoute({
      method: 'post',
      path: '/templates',
      security: bearerSecurity,
      request: jsonBody(templateInput.extend({ id: idSchema.optional() })),
      responses: { 201: jsonResponse(templateSchema, 'Created'), 409: errorResponses[400], ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      const body = c.req.valid('json');
      await checkRenders(body);
      const [row] = await db
        .insert(templates)
        .values({
          workspaceId: p.workspaceId,
          id: body.id ?? newId('t_'),
          name: body.name,
          subject: body.subject,
          mjml: body.mjml,
          project: body.project ?? null,
          topic: body.topic ?? null,
        })
        .onConflictDoNothing()
        .returning();
      if (!row) throw new ApiError('conflict', `template "${body.id}" already exists`);
      return c.json(present(row), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/templates',
      security: bearerSecurity,
      responses: {
        200: jsonResponse(
          z.object({ templates: z.array(templateSchema.omit({ mjml: true, project: true })) }),
          'Templates',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const rows = await db
        .select()
        .from(templates)
        .where(eq(templates.workspaceId, c.get('principal').workspaceId))
        .orderBy(asc(templates.name));
      return c.json(
        {
          templates: rows.map(({ mjml: _m, project: _p, ...r }) => ({
            id: r.id,
            name: r.name,
            subject: r.subject,
            ...(r.topic ? { topic: r.topic } : {}),
            updatedAt: r.updatedAt.toISOString(),
          })),
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/templates/{id}',
      security: bearerSecurity,
      request: { params },
      responses: { 200: jsonResponse(templateSchema, 'Template'), ...errorResponses },
    }),
    async (c) => c.json(present(await loadTemplate(db, c.get('principal').workspaceId, c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/templates/{id}',
      security: bearerSecurity,
      request: { params, ...jsonBody(templateInput) },
      responses: { 200: jsonResponse(templateSchema, 'Saved'), ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      await loadTemplate(db, p.workspaceId, id);
      await checkRenders(body);
      const [row] = await db
        .update(templates)
        .set({
          name: body.name,
          subject: body.subject,
          mjml: body.mjml,
          project: body.project ?? null,
          topic: body.topic ?? null,
          updatedAt: new Date(),
        })
        .where(and(eq(templates.workspaceId, p.workspaceId), eq(templates.id, id)))
        .returning();
      return c.json(present(row as TemplateRow), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/templates/{id}',
      security: bearerSecurity,
      request: { params },
      responses: { 200: jsonResponse(z.object({ deleted: z.boolean() }), 'Deleted'), ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const rows = await db
        .delete(templates)
        .where(and(eq(templates.workspaceId, p.workspaceId), eq(templates.id, id)))
        .returning({ id: templates.id });
      if (rows.length === 0) throw notFound('template', id);
      return c.json({ deleted: true }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/templates/{id}/preview',
      security: bearerSecurity,
      request: { params, ...jsonBody(sampleContact) },
      responses: {
        200: jsonResponse(
          z.object({ subject: z.string(), html: z.string(), text: z.string(), document: z.string() }),
          'Rendered for a contact; `document` is safe to show in a sandboxed iframe',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const row = await loadTemplate(db, p.workspaceId, c.req.valid('param').id);
      const out = await render(row, await contactFor(p.workspaceId, c.req.valid('json')));
      return c.json(
        { subject: out.subject, html: out.html, text: out.text, document: emailPreviewDocument(out.html) },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/templates/{id}/test',
      security: bearerSecurity,
      request: { params, ...jsonBody(z.object({ to: emailSchema }).and(sampleContact)) },
      responses: {
        202: jsonResponse(z.object({ sent: z.boolean(), to: z.string() }), 'Test email sent'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      if (p.access === 'read') throw new ApiError('forbidden', 'read-only token');
      const row = await loadTemplate(db, p.workspaceId, c.req.valid('param').id);
      const body = c.req.valid('json');
      const out = await render(row, await contactFor(p.workspaceId, body));
      const transport = createSmtpTransport(services.smtpUrl, { maxConnections: 1 });
      try {
        const raw = composeEmail({
          from: services.config.fromAddress,
          to: body.to,
          subject: `[Test] ${out.subject}`,
          html: out.html,
          text: out.text,
          messageId: `<test-${newId()}@waymark.localhost>`,
          date: new Date(),
          headers: {},
        });
        await transport.sendMail({ envelope: { from: bareAddress(services.config.fromAddress), to: [body.to] }, raw });
      } catch (e) {
        throw new ApiError('invalid_request', `the mail server refused the test email: ${(e as Error).message}`);
      } finally {
        transport.close();
      }
      return c.json({ sent: true, to: body.to }, 202);
    },
  );
  return router;
}
