import { createRoute, z } from '@hono/zod-openapi';
import { and, eq, isNull } from 'drizzle-orm';
import { createWorkspace } from '../bootstrap.ts';
import { newApiKey, newId } from '../crypto.ts';
import { apiKeys, journeys, workspaces } from '../db/schema.ts';
import { ApiError, notFound } from '../errors.ts';
import type { Services } from '../services.ts';
import { clearKeyCache, issueEditorToken, requireApiKey } from './auth.ts';
import { emailSchema } from './contacts.ts';
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, newRouter } from './openapi.ts';

const keySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiKey');

/** The person a token is for, as the issuing product knows them; decisions made with the token record it. */
const editorUserSchema = z
  .strictObject({
    id: z.string().trim().min(1).max(200),
    name: z.string().trim().min(1).max(200).optional(),
    email: emailSchema.optional(),
  })
  .openapi('EditorUser');

const withoutUndefined = (u: z.infer<typeof editorUserSchema>) => ({
  id: u.id,
  ...(u.name === undefined ? {} : { name: u.name }),
  ...(u.email === undefined ? {} : { email: u.email }),
});

/** Workspaces, API keys and editor tokens. */
export function accessRoutes(services: Services) {
  const router = newRouter();
  const { db } = services;

  router.openapi(
    createRoute({
      method: 'get',
      path: '/workspace',
      security: bearerSecurity,
      responses: {
        200: jsonResponse(
          z.object({ id: z.string(), name: z.string(), access: z.string(), journeyId: z.string().nullable() }),
          "The caller's workspace",
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const [ws] = await db.select().from(workspaces).where(eq(workspaces.id, p.workspaceId));
      if (!ws) throw notFound('workspace', p.workspaceId);
      return c.json({ id: ws.id, name: ws.name, access: p.access, journeyId: p.journeyId ?? null }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces',
      security: bearerSecurity,
      request: jsonBody(z.object({ name: z.string().trim().min(1).max(200) })),
      responses: {
        201: jsonResponse(z.object({ id: z.string(), apiKey: z.string() }), 'Created; the key is shown only now'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      requireApiKey(p);
      if (p.workspaceId !== 'default')
        throw new ApiError('forbidden', 'only API keys of the default (installation) workspace may create workspaces');
      const created = await createWorkspace(db, c.req.valid('json').name);
      return c.json({ id: created.workspaceId, apiKey: created.apiKey }, 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api-keys',
      security: bearerSecurity,
      request: jsonBody(z.object({ name: z.string().trim().min(1).max(200) })),
      responses: {
        201: jsonResponse(keySchema.extend({ key: z.string() }), 'Created; the key is shown only now'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      requireApiKey(p);
      const k = newApiKey();
      const [row] = await db
        .insert(apiKeys)
        .values({
          id: newId('key_'),
          workspaceId: p.workspaceId,
          name: c.req.valid('json').name,
          prefix: k.prefix,
          keyHash: k.hash,
        })
        .returning();
      const r = row as typeof apiKeys.$inferSelect;
      return c.json(
        { id: r.id, name: r.name, prefix: r.prefix, createdAt: r.createdAt.toISOString(), revokedAt: null, key: k.key },
        201,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api-keys',
      security: bearerSecurity,
      responses: {
        200: jsonResponse(z.object({ keys: z.array(keySchema) }), 'Keys (without secrets)'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      requireApiKey(p);
      const rows = await db.select().from(apiKeys).where(eq(apiKeys.workspaceId, p.workspaceId));
      return c.json(
        {
          keys: rows.map((r) => ({
            id: r.id,
            name: r.name,
            prefix: r.prefix,
            createdAt: r.createdAt.toISOString(),
            revokedAt: r.revokedAt?.toISOString() ?? null,
          })),
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/api-keys/{id}',
      security: bearerSecurity,
      request: { params: z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) }) },
      responses: { 200: jsonResponse(z.object({ revoked: z.boolean() }), 'Revoked'), ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      requireApiKey(p);
      const { id } = c.req.valid('param');
      const rows = await db
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.workspaceId, p.workspaceId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
        .returning({ id: apiKeys.id });
      if (rows.length === 0) throw notFound('API key', id);
      clearKeyCache();
      return c.json({ revoked: true }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/editor-tokens',
      security: bearerSecurity,
      request: jsonBody(
        z.object({
          journeyId: z.string().min(1).max(100).optional(),
          access: z.enum(['edit', 'read']).default('edit'),
          ttlSeconds: z
            .number()
            .int()
            .min(60)
            .max(24 * 3600)
            .default(3600),
          /** Who will use the token (the host product's user): recorded as the reviewer of approvals and in the audit trail. */
          user: editorUserSchema.optional(),
        }),
      ),
      responses: {
        201: jsonResponse(z.object({ token: z.string(), expiresAt: z.string() }), 'A short-lived token for a browser'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      requireApiKey(p);
      const body = c.req.valid('json');
      if (body.journeyId !== undefined) {
        const [j] = await db
          .select({ id: journeys.id })
          .from(journeys)
          .where(and(eq(journeys.workspaceId, p.workspaceId), eq(journeys.id, body.journeyId)));
        if (!j) throw notFound('journey', body.journeyId);
      }
      const scope = {
        workspaceId: p.workspaceId,
        access: body.access,
        ttlSeconds: body.ttlSeconds,
        ...(body.journeyId === undefined ? {} : { journeyId: body.journeyId }),
        ...(body.user === undefined ? {} : { user: withoutUndefined(body.user) }),
      };
      return c.json(await issueEditorToken(services.secrets.tokens, scope), 201);
    },
  );
  return router;
}
