import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
import type { Context } from 'hono';
import { eraseAudienceData } from '../audience/erasure.ts';
import { heldEmailsOf, preferencesOf } from '../audience/preferences.ts';
import { recordAudit } from '../db/audit.ts';
import { erasedAddressKey } from '../db/erased.ts';
import { topics } from '../db/preferences-schema.ts';
import { auditLog, consents, contacts, events, journeyStates, outbox, suppressions } from '../db/schema.ts';
import { ApiError, notFound } from '../errors.ts';
import type { Services } from '../services.ts';
import { requireApiKey, requireWorkspaceEditor } from './auth.ts';
import { clientIp } from './client-ip.ts';
import { contactIdSchema, emailSchema } from './contacts.ts';
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, newRouter } from './openapi.ts';
import { topicIdSchema } from './topics.ts';

const contactParams = z.object({ id: contactIdSchema.openapi({ param: { name: 'id', in: 'path' } }) });
const consentSchema = z
  .object({
    topic: z.string(),
    status: z.enum(['granted', 'withdrawn']),
    source: z.string(),
    evidence: z.record(z.string(), z.unknown()),
    at: z.string(),
  })
  .openapi('Consent');

/** GDPR export and erasure, consent records, the suppression list, and the audit trail. */
export function audienceRoutes(services: Services) {
  const router = newRouter();
  const { db } = services;
  const ipOf = (c: Context) => clientIp(c, services.config.trustProxy);

  router.openapi(
    createRoute({
      method: 'get',
      path: '/contacts/{id}/export',
      security: bearerSecurity,
      request: { params: contactParams },
      responses: {
        200: jsonResponse(z.record(z.string(), z.unknown()), 'Everything held about the contact'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      requireWorkspaceEditor(p);
      const { id } = c.req.valid('param');
      const document = await db.transaction(async (tx) => {
        const [contact] = await tx
          .select()
          .from(contacts)
          .where(and(eq(contacts.workspaceId, p.workspaceId), eq(contacts.id, id)));
        if (!contact) throw notFound('contact', id);
        const mine = <T extends { workspaceId: unknown; contactId: unknown }>(t: T) =>
          and(eq(t.workspaceId as never, p.workspaceId), eq(t.contactId as never, id));
        const [eventRows, states, messages, consentRows, preferences, held] = await Promise.all([
          tx.select().from(events).where(mine(events)).orderBy(asc(events.at)),
          tx.select().from(journeyStates).where(mine(journeyStates)),
          tx.select().from(outbox).where(mine(outbox)).orderBy(asc(outbox.createdAt)),
          tx.select().from(consents).where(mine(consents)),
          preferencesOf(tx, p.workspaceId, id),
          heldEmailsOf(tx, p.workspaceId, id),
        ]);
        const suppression = contact.email
          ? await tx
              .select()
              .from(suppressions)
              .where(
                and(eq(suppressions.workspaceId, p.workspaceId), eq(suppressions.email, contact.email.toLowerCase())),
              )
          : [];
        await recordAudit(tx, {
          workspaceId: p.workspaceId,
          actor: p.actor,
          action: 'contact.exported',
          subjectType: 'contact',
          subjectId: id,
          ip: ipOf(c),
        });
        return {
          exportedAt: new Date().toISOString(),
          contact,
          consents: consentRows,
          preferences,
          heldForDigest: held,
          suppression: suppression[0] ?? null,
          events: eventRows.map(({ workspaceId: _w, ...e }) => e),
          journeys: states.map((s) => ({
            journeyId: s.journeyId,
            versionId: s.versionId,
            state: s.state,
            updatedAt: s.updatedAt,
          })),
          messages: messages.map((m) => ({
            id: m.id,
            kind: m.kind,
            journeyId: m.journeyId,
            node: m.node,
            status: m.status,
            digestId: m.digestId,
            createdAt: m.createdAt,
            doneAt: m.doneAt,
            payload: m.payload,
          })),
        };
      });
      return c.json(document as Record<string, unknown>, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/contacts/{id}/erase',
      security: bearerSecurity,
      request: { params: contactParams },
      responses: {
        200: jsonResponse(z.object({ erased: z.boolean(), suppressedHash: z.string().nullable() }), 'Erased'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      requireWorkspaceEditor(p);
      const { id } = c.req.valid('param');
      const hash = await db.transaction(async (tx) => {
        const [contact] = await tx
          .select()
          .from(contacts)
          .where(and(eq(contacts.workspaceId, p.workspaceId), eq(contacts.id, id)));
        if (!contact) throw notFound('contact', id);
        for (const table of [events, journeyStates, outbox, consents] as const)
          await tx.delete(table).where(and(eq(table.workspaceId, p.workspaceId), eq(table.contactId, id)));
        const purged = await eraseAudienceData(tx, p.workspaceId, contact);
        let key: string | null = null;
        if (contact.email) {
          await tx
            .delete(suppressions)
            .where(
              and(eq(suppressions.workspaceId, p.workspaceId), eq(suppressions.email, contact.email.toLowerCase())),
            );
          key = erasedAddressKey(contact.email);
          await tx
            .insert(suppressions)
            .values({ workspaceId: p.workspaceId, email: key, reason: 'manual', detail: 'erased' })
            .onConflictDoNothing();
        }
        await tx.delete(contacts).where(and(eq(contacts.workspaceId, p.workspaceId), eq(contacts.id, id)));
        await recordAudit(tx, {
          workspaceId: p.workspaceId,
          actor: p.actor,
          action: 'contact.erased',
          subjectType: 'contact',
          // A contact whose id is its address is named by the address's hash, as in its other entries.
          subjectId: key !== null && id.trim().toLowerCase() === contact.email?.trim().toLowerCase() ? key : id,
          details: { suppressedHash: key, ...purged },
          ip: ipOf(c),
        });
        return key;
      });
      return c.json({ erased: true, suppressedHash: hash }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/contacts/{id}/consents',
      security: bearerSecurity,
      request: { params: contactParams },
      responses: {
        200: jsonResponse(z.object({ consents: z.array(consentSchema) }), 'Consents by topic'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const [contact] = await db
        .select({ id: contacts.id })
        .from(contacts)
        .where(and(eq(contacts.workspaceId, p.workspaceId), eq(contacts.id, id)));
      if (!contact) throw notFound('contact', id);
      const rows = await db
        .select()
        .from(consents)
        .where(and(eq(consents.workspaceId, p.workspaceId), eq(consents.contactId, id)));
      return c.json(
        {
          consents: rows.map((r) => ({
            topic: r.topic,
            status: r.status,
            source: r.source,
            evidence: r.evidence,
            at: r.at.toISOString(),
          })),
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/contacts/{id}/consents/{topic}',
      security: bearerSecurity,
      request: {
        params: contactParams.extend({ topic: topicIdSchema.openapi({ param: { name: 'topic', in: 'path' } }) }),
        ...jsonBody(
          z.object({
            status: z.enum(['granted', 'withdrawn']),
            source: z.enum(['form', 'import', 'api', 'preference-center']).default('api'),
            evidence: z.record(z.string(), z.unknown()).default({}),
          }),
        ),
      },
      responses: { 200: jsonResponse(consentSchema, 'Recorded'), ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      if (p.access === 'read') throw new ApiError('forbidden', 'read-only token');
      const { id, topic } = c.req.valid('param');
      const body = c.req.valid('json');
      const row = await db.transaction(async (tx) => {
        const [contact] = await tx
          .select({ id: contacts.id })
          .from(contacts)
          .where(and(eq(contacts.workspaceId, p.workspaceId), eq(contacts.id, id)));
        if (!contact) throw notFound('contact', id);
        // The topic list is the source of truth: consent is recorded only for a topic the contact can
        // also see and change on the preference center.
        const [listed] = await tx
          .select({ id: topics.id })
          .from(topics)
          .where(and(eq(topics.workspaceId, p.workspaceId), eq(topics.id, topic)));
        if (!listed)
          throw new ApiError(
            'not_found',
            `topic: "${topic}" is not in this workspace's topic list; add it first (POST /v1/topics)`,
            { field: 'topic' },
          );
        const now = new Date();
        const [saved] = await tx
          .insert(consents)
          .values({
            workspaceId: p.workspaceId,
            contactId: id,
            topic,
            status: body.status,
            source: body.source,
            evidence: body.evidence,
            at: now,
          })
          .onConflictDoUpdate({
            target: [consents.workspaceId, consents.contactId, consents.topic],
            set: { status: body.status, source: body.source, evidence: body.evidence, at: now },
          })
          .returning();
        await recordAudit(tx, {
          workspaceId: p.workspaceId,
          actor: p.actor,
          action: `consent.${body.status}`,
          subjectType: 'contact',
          subjectId: id,
          details: { topic, source: body.source, evidence: body.evidence },
          ip: ipOf(c),
        });
        return saved as typeof consents.$inferSelect;
      });
      return c.json(
        { topic: row.topic, status: row.status, source: row.source, evidence: row.evidence, at: row.at.toISOString() },
        200,
      );
    },
  );

  const suppressionSchema = z
    .object({ email: z.string(), reason: z.string(), detail: z.string().nullable(), createdAt: z.string() })
    .openapi('Suppression');
  router.openapi(
    createRoute({
      method: 'get',
      path: '/suppressions',
      security: bearerSecurity,
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
      responses: {
        200: jsonResponse(z.object({ suppressions: z.array(suppressionSchema) }), 'Newest first'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const rows = await db
        .select()
        .from(suppressions)
        .where(eq(suppressions.workspaceId, p.workspaceId))
        .orderBy(desc(suppressions.createdAt))
        .limit(c.req.valid('query').limit);
      return c.json(
        {
          suppressions: rows.map((r) => ({
            email: r.email,
            reason: r.reason,
            detail: r.detail,
            createdAt: r.createdAt.toISOString(),
          })),
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/suppressions',
      security: bearerSecurity,
      request: jsonBody(z.object({ email: emailSchema, detail: z.string().max(500).optional() })),
      responses: { 201: jsonResponse(suppressionSchema, 'Suppressed'), ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      requireApiKey(p);
      const body = c.req.valid('json');
      const email = body.email.toLowerCase();
      await db.transaction(async (tx) => {
        await tx
          .insert(suppressions)
          .values({ workspaceId: p.workspaceId, email, reason: 'manual', detail: body.detail ?? null })
          .onConflictDoNothing();
        await recordAudit(tx, {
          workspaceId: p.workspaceId,
          actor: p.actor,
          action: 'suppression.added',
          subjectType: 'address',
          subjectId: email,
          ip: ipOf(c),
        });
      });
      const [row] = await db
        .select()
        .from(suppressions)
        .where(and(eq(suppressions.workspaceId, p.workspaceId), eq(suppressions.email, email)));
      const r = row as typeof suppressions.$inferSelect;
      return c.json({ email: r.email, reason: r.reason, detail: r.detail, createdAt: r.createdAt.toISOString() }, 201);
    },
  );

  const auditSchema = z
    .object({
      id: z.number(),
      at: z.string(),
      actor: z.string(),
      action: z.string(),
      subjectType: z.string(),
      subjectId: z.string(),
      details: z.record(z.string(), z.unknown()),
      ip: z.string().nullable(),
    })
    .openapi('AuditEntry');
  router.openapi(
    createRoute({
      method: 'get',
      path: '/audit',
      security: bearerSecurity,
      request: {
        query: z.object({
          action: z.string().optional(),
          subjectType: z.string().optional(),
          subjectId: z.string().optional(),
          since: z.iso.datetime({ offset: true }).optional(),
          until: z.iso.datetime({ offset: true }).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
      responses: { 200: jsonResponse(z.object({ entries: z.array(auditSchema) }), 'Newest first'), ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      requireApiKey(p);
      const q = c.req.valid('query');
      const filters: SQL[] = [eq(auditLog.workspaceId, p.workspaceId)];
      if (q.action) filters.push(eq(auditLog.action, q.action));
      if (q.subjectType) filters.push(eq(auditLog.subjectType, q.subjectType));
      if (q.subjectId) filters.push(eq(auditLog.subjectId, q.subjectId));
      if (q.since) filters.push(gte(auditLog.at, new Date(q.since)));
      if (q.until) filters.push(lte(auditLog.at, new Date(q.until)));
      const rows = await db
        .select()
        .from(auditLog)
        .where(and(...filters))
        .orderBy(desc(auditLog.id))
        .limit(q.limit);
      return c.json({ entries: rows.map((r) => ({ ...r, workspaceId: undefined, at: r.at.toISOString() })) }, 200);
    },
  );
  return router;
}
