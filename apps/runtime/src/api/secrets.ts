import { createRoute, z } from '@hono/zod-openapi';
import { secretNamePattern } from '@waymark/nodes';
import { SecretStore } from '../effects/secret-store.ts';
import { notFound } from '../errors.ts';
import type { Services } from '../services.ts';
import { requireApiKey } from './auth.ts';
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, newRouter } from './openapi.ts';

const nameSchema = z
  .string()
  .regex(secretNamePattern, 'must start with a letter and hold only letters, digits, _ . - (at most 100)')
  .openapi({ param: { name: 'name', in: 'path' }, example: 'slackWebhookUrl' });

const secretSchema = z
  .object({ name: z.string(), createdAt: z.string(), updatedAt: z.string() })
  .openapi('Secret', { description: 'A workspace secret, by name; its value is never returned' });

const requiredSchema = z
  .object({
    name: z.string(),
    kind: z.string().openapi({ description: 'The effect kind whose executor reads it' }),
    source: z.string().openapi({ description: 'The node package it comes from' }),
    set: z.boolean(),
  })
  .openapi('RequiredSecret');

const present = (s: { name: string; createdAt: Date; updatedAt: Date }) => ({
  name: s.name,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});

/**
 * `/v1/secrets`: the values node-package executors read (webhook URLs, tokens). Values go in with
 * an API key, are stored encrypted and are never returned or logged; listing shows names only,
 * plus which secrets the installed packages need and whether each is set.
 */
export function secretRoutes(services: Services, store = new SecretStore()) {
  const router = newRouter();
  const { db } = services;

  router.openapi(
    createRoute({
      method: 'put',
      path: '/secrets/{name}',
      security: bearerSecurity,
      request: {
        params: z.object({ name: nameSchema }),
        ...jsonBody(z.object({ value: z.string().min(1).max(16_384) }), 'The secret value (write-only)'),
      },
      responses: {
        200: jsonResponse(secretSchema.extend({ created: z.boolean() }), 'Stored; the value is not echoed'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      requireApiKey(p);
      const stored = await store.put(db, p.workspaceId, c.req.valid('param').name, c.req.valid('json').value);
      return c.json({ ...present(stored), created: stored.created }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/secrets',
      security: bearerSecurity,
      responses: {
        200: jsonResponse(
          z.object({ secrets: z.array(secretSchema), required: z.array(requiredSchema) }),
          'Secret names (never values) and the secrets installed node packages need',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const secrets = await store.list(db, p.workspaceId);
      const set = new Set(secrets.map((s) => s.name));
      const required = services.registry
        .executors()
        .flatMap(({ executor, source }) =>
          executor.secrets.map((name) => ({ name, kind: executor.kind, source, set: set.has(name) })),
        );
      return c.json({ secrets: secrets.map(present), required }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/secrets/{name}',
      security: bearerSecurity,
      request: { params: z.object({ name: nameSchema }) },
      responses: { 200: jsonResponse(z.object({ deleted: z.boolean() }), 'Deleted'), ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      requireApiKey(p);
      const { name } = c.req.valid('param');
      if (!(await store.delete(db, p.workspaceId, name))) throw notFound('secret', name);
      return c.json({ deleted: true }, 200);
    },
  );
  return router;
}
