import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, eq, sql } from 'drizzle-orm';
import { recordAudit } from '../db/audit.ts';
import { topics } from '../db/preferences-schema.ts';
import { ApiError, notFound } from '../errors.ts';
import type { Services } from '../services.ts';
import type { Principal } from './auth.ts';
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, newRouter } from './openapi.ts';

/** A topic id: the same shape as the topic of a consent record and of a template. */
export const topicIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/, 'must be 1–100 lowercase letters, digits, _, . or -');

const topicInput = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(1000).default(''),
});
const topicSchema = z
  .object({ id: z.string(), name: z.string(), description: z.string(), updatedAt: z.string() })
  .openapi('Topic');
const params = z.object({ id: topicIdSchema.openapi({ param: { name: 'id', in: 'path' } }) });

function present(r: typeof topics.$inferSelect) {
  return { id: r.id, name: r.name, description: r.description, updatedAt: r.updatedAt.toISOString() };
}

function requireWrite(p: Principal): void {
  if (p.access === 'read') throw new ApiError('forbidden', 'read-only token');
}

/**
 * The workspace's topic list (`/topics`): what contacts see and can opt out of on the preference
 * center. A template's `topic` names one of them.
 */
export function topicRoutes(services: Services) {
  const router = newRouter();
  const { db } = services;

  router.openapi(
    createRoute({
      method: 'get',
      path: '/topics',
      security: bearerSecurity,
      responses: { 200: jsonResponse(z.object({ topics: z.array(topicSchema) }), 'Topics by name'), ...errorResponses },
    }),
    async (c) => {
      const rows = await db
        .select()
        .from(topics)
        .where(eq(topics.workspaceId, c.get('principal').workspaceId))
        .orderBy(asc(topics.name), asc(topics.id));
      return c.json({ topics: rows.map(present) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/topics',
      security: bearerSecurity,
      request: jsonBody(topicInput.extend({ id: topicIdSchema })),
      responses: { 201: jsonResponse(topicSchema, 'Created'), 409: errorResponses[400], ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      requireWrite(p);
      const body = c.req.valid('json');
      const row = await db.transaction(async (tx) => {
        const [created] = await tx
          .insert(topics)
          .values({ workspaceId: p.workspaceId, id: body.id, name: body.name, description: body.description })
          .onConflictDoNothing()
          .returning();
        if (!created) throw new ApiError('conflict', `topic "${body.id}" already exists`);
        await recordAudit(tx, {
          workspaceId: p.workspaceId,
          actor: p.actor,
          action: 'topic.created',
          subjectType: 'topic',
          subjectId: body.id,
          details: { name: body.name },
        });
        return created;
      });
      return c.json(present(row), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/topics/{id}',
      security: bearerSecurity,
      request: { params, ...jsonBody(topicInput) },
      responses: { 200: jsonResponse(topicSchema, 'Updated'), ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      requireWrite(p);
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const [row] = await db
        .update(topics)
        .set({ name: body.name, description: body.description, updatedAt: sql`now()` })
        .where(and(eq(topics.workspaceId, p.workspaceId), eq(topics.id, id)))
        .returning();
      if (!row) throw notFound('topic', id);
      return c.json(present(row), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/topics/{id}',
      security: bearerSecurity,
      request: { params },
      responses: { 200: jsonResponse(z.object({ deleted: z.boolean() }), 'Deleted'), ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      requireWrite(p);
      const { id } = c.req.valid('param');
      await db.transaction(async (tx) => {
        const rows = await tx
          .delete(topics)
          .where(and(eq(topics.workspaceId, p.workspaceId), eq(topics.id, id)))
          .returning({ id: topics.id });
        if (rows.length === 0) throw notFound('topic', id);
        await recordAudit(tx, {
          workspaceId: p.workspaceId,
          actor: p.actor,
          action: 'topic.deleted',
          subjectType: 'topic',
          subjectId: id,
        });
      });
      return c.json({ deleted: true }, 200);
    },
  );
  return router;
}
