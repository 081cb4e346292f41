import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, desc, eq, gt, ilike, inArray, like, or, sql } from 'drizzle-orm';
import { refreshAudience } from '../audience/refresh.ts';
import { newId } from '../crypto.ts';
import type { Tx } from '../db/client.ts';
import { erasedAddressKey } from '../db/erased.ts';
import { contacts, events, journeyStates, suppressions } from '../db/schema.ts';
import { ApiError, notFound } from '../errors.ts';
import type { Services } from '../services.ts';
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, newRouter } from './openapi.ts';

/** Contact ids: what the workspace's own systems call the contact. */
export const contactIdSchema = z.string().trim().min(1).max(200);
/** An email address (syntax checked; lowercased for matching, stored as given). */
export const emailSchema = z.email({ error: 'must be a valid email address' }).max(320);

const contactInput = z
  .object({
    id: contactIdSchema.optional(),
    email: emailSchema.optional(),
    attributes: z.record(z.string().min(1).max(200), z.unknown()).optional(),
  })
  .refine((c) => c.id !== undefined || c.email !== undefined, { message: 'give id or email (or both)', path: ['id'] })
  .openapi('ContactInput');

const contactSchema = z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Contact');

type ContactRow = typeof contacts.$inferSelect;
const present = (r: ContactRow) => ({
  id: r.id,
  email: r.email,
  attributes: r.attributes,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

/** One contact to upsert, resolved to an id. */
export interface ContactUpsert {
  id?: string | undefined;
  email?: string | undefined;
  attributes?: Record<string, unknown> | undefined;
}

/**
 * Upserts contacts by id or email in one transaction: attributes are merged into existing ones; a
 * contact given only by email is matched case-insensitively or created with a new id.
 * Returns the resolved contact id of every input, in order.
 */
export async function upsertContacts(tx: Tx, workspaceId: string, inputs: readonly ContactUpsert[]): Promise<string[]> {
  await refuseErased(tx, workspaceId, inputs);
  const emails = [
    ...new Set(inputs.filter((i) => i.id === undefined && i.email).map((i) => (i.email as string).toLowerCase())),
  ];
  const byEmail = new Map<string, string>();
  if (emails.length > 0) {
    const found = await tx
      .select({ id: contacts.id, email: contacts.email })
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), inArray(sql`lower(${contacts.email})`, emails)));
    for (const f of found) if (f.email) byEmail.set(f.email.toLowerCase(), f.id);
  }
  const ids = inputs.map((i) => {
    if (i.id !== undefined) return i.id;
    const e = (i.email as string).toLowerCase();
    let id = byEmail.get(e);
    if (!id) {
      id = newId('c_');
      byEmail.set(e, id);
    }
    return id;
  });
  // Merge duplicates within the batch so one statement touches each row once.
  const merged = new Map<
    string,
    { id: string; email: string | null; attributes: Record<string, unknown>; hasEmail: boolean }
  >();
  inputs.forEach((input, i) => {
    const id = ids[i] as string;
    const prev = merged.get(id);
    merged.set(id, {
      id,
      email: input.email ?? prev?.email ?? null,
      attributes: { ...(prev?.attributes ?? {}), ...(input.attributes ?? {}) },
      hasEmail: (prev?.hasEmail ?? false) || input.email !== undefined,
    });
  });
  const rows = [...merged.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  try {
    // One statement whatever the count: the rows travel as one JSON parameter, in id order (so that
    // concurrent upserts lock contact rows in the same order).
    await tx.execute(sql`
      insert into contacts (workspace_id, id, email, attributes)
      select ${workspaceId}, x.id, x.email, x.attributes
      from jsonb_to_recordset(${JSON.stringify(rows.map((r) => ({ id: r.id, email: r.email, attributes: r.attributes })))}::jsonb)
        as x(id text, email text, attributes jsonb)
      on conflict (workspace_id, id) do update set
        email = coalesce(excluded.email, contacts.email),
        attributes = contacts.attributes || excluded.attributes,
        updated_at = now()`);
  } catch (e) {
    const code =
      (e as { code?: string; cause?: { code?: string } }).code ?? (e as { cause?: { code?: string } }).cause?.code;
    if (code === '23505')
      throw new ApiError('conflict', 'email: another contact of this workspace already has this email address');
    throw e;
  }
  return ids;
}

/** Addresses erased at the person's request stay out: their hash is on the suppression list. */
async function refuseErased(tx: Tx, workspaceId: string, inputs: readonly ContactUpsert[]): Promise<void> {
  const byKey = new Map<string, string>();
  for (const i of inputs) if (i.email) byKey.set(erasedAddressKey(i.email), i.email);
  if (byKey.size === 0) return;
  const erased = await tx
    .select({ email: suppressions.email })
    .from(suppressions)
    .where(and(eq(suppressions.workspaceId, workspaceId), inArray(suppressions.email, [...byKey.keys()])));
  if (erased.length > 0)
    throw new ApiError(
      'conflict',
      `email: ${byKey.get(erased[0]?.email as string)} was erased at the person's request and cannot be added again`,
      {
        field: 'email',
      },
    );
}

/** Contacts: upsert (one or a batch), get, list with paging and search, recent events, delete. */
export function contactRoutes(services: Services) {
  const router = newRouter();
  const { db } = services;

  router.openapi(
    createRoute({
      method: 'post',
      path: '/contacts',
      security: bearerSecurity,
      request: jsonBody(z.union([contactInput, z.object({ contacts: z.array(contactInput).min(1).max(10_000) })])),
      responses: {
        200: jsonResponse(z.object({ ids: z.array(z.string()) }), 'Upserted'),
        409: errorResponses[400],
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      if (p.access === 'read') throw new ApiError('forbidden', 'read-only token');
      const body = c.req.valid('json');
      const inputs = 'contacts' in body ? body.contacts : [body];
      const ids = await db.transaction(async (tx) => {
        const upserted = await upsertContacts(tx, p.workspaceId, inputs);
        await refreshAudience(tx, services, p.workspaceId, upserted, { attributesChanged: true });
        return upserted;
      });
      return c.json({ ids }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/contacts',
      security: bearerSecurity,
      request: {
        query: z.object({
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          after: z.string().optional(),
          q: z.string().trim().min(1).max(320).optional().openapi({
            description:
              'Only contacts whose email address contains this text (case-insensitive) or whose id starts with it',
          }),
        }),
      },
      responses: {
        200: jsonResponse(
          z.object({ contacts: z.array(contactSchema), next: z.string().nullable() }),
          'A page of contacts by id',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const { limit, after, q } = c.req.valid('query');
      // Ids are often generated, so a fragment matches too many of them: ids match from the start only.
      const literal = q?.replace(/[\\%_]/g, (ch) => `\\${ch}`);
      const rows = await db
        .select()
        .from(contacts)
        .where(
          and(
            eq(contacts.workspaceId, p.workspaceId),
            after === undefined ? undefined : gt(contacts.id, after),
            literal === undefined
              ? undefined
              : or(ilike(contacts.email, `%${literal}%`), like(contacts.id, `${literal}%`)),
          ),
        )
        .orderBy(asc(contacts.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      return c.json(
        { contacts: page.map(present), next: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null },
        200,
      );
    },
  );

  const params = z.object({ id: contactIdSchema.openapi({ param: { name: 'id', in: 'path' } }) });
  router.openapi(
    createRoute({
      method: 'get',
      path: '/contacts/{id}',
      security: bearerSecurity,
      request: { params },
      responses: { 200: jsonResponse(contactSchema, 'Contact'), ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const [row] = await db
        .select()
        .from(contacts)
        .where(and(eq(contacts.workspaceId, p.workspaceId), eq(contacts.id, id)));
      if (!row) throw notFound('contact', id);
      return c.json(present(row), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/contacts/{id}/events',
      security: bearerSecurity,
      request: { params, query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }) },
      responses: {
        200: jsonResponse(
          z.object({
            events: z.array(
              z.object({
                id: z.number(),
                name: z.string(),
                at: z.string(),
                properties: z.record(z.string(), z.unknown()),
              }),
            ),
          }),
          "The contact's most recent events, newest first",
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const { limit } = c.req.valid('query');
      const [row] = await db
        .select({ id: contacts.id })
        .from(contacts)
        .where(and(eq(contacts.workspaceId, p.workspaceId), eq(contacts.id, id)));
      if (!row) throw notFound('contact', id);
      const rows = await db
        .select({ id: events.id, name: events.name, at: events.at, properties: events.properties })
        .from(events)
        .where(and(eq(events.workspaceId, p.workspaceId), eq(events.contactId, id)))
        .orderBy(desc(events.at), desc(events.id))
        .limit(limit);
      return c.json({ events: rows.map((e) => ({ ...e, at: e.at.toISOString() })) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/contacts/{id}',
      security: bearerSecurity,
      request: { params },
      responses: { 200: jsonResponse(z.object({ deleted: z.boolean() }), 'Deleted'), ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      if (p.kind !== 'apiKey') throw new ApiError('forbidden', 'deleting contacts needs an API key');
      const { id } = c.req.valid('param');
      const deleted = await db.transaction(async (tx) => {
        await tx
          .delete(journeyStates)
          .where(and(eq(journeyStates.workspaceId, p.workspaceId), eq(journeyStates.contactId, id)));
        return tx
          .delete(contacts)
          .where(and(eq(contacts.workspaceId, p.workspaceId), eq(contacts.id, id)))
          .returning({ id: contacts.id });
      });
      if (deleted.length === 0) throw notFound('contact', id);
      return c.json({ deleted: true }, 200);
    },
  );
  return router;
}
