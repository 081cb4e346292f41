import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../services.ts';
import { bearerSecurity, errorResponses, newRouter } from './openapi.ts';

const nodeTypeSchema = z
  .object({
    type: z.string(),
    version: z.number(),
    category: z.enum(['trigger', 'flow', 'action', 'ai']),
    title: z.string(),
    description: z.string(),
    icon: z.string(),
    waits: z.boolean(),
    ports: z.union([
      z.array(z.object({ id: z.string(), label: z.string() })),
      z.object({ fromConfig: z.string(), idKey: z.string(), labelKey: z.string().optional() }),
    ]),
    configSchema: z.record(z.string(), z.unknown()),
    source: z.string(),
  })
  .openapi('NodeType');

/** `GET /v1/node-types`: every registered node type with its config JSON Schema. */
export function nodeTypeRoutes(services: Services) {
  const router = newRouter();
  router.openapi(
    createRoute({
      method: 'get',
      path: '/node-types',
      security: bearerSecurity,
      responses: {
        200: {
          description: 'Node types',
          content: { 'application/json': { schema: z.object({ nodeTypes: z.array(nodeTypeSchema) }) } },
        },
        401: errorResponses[401],
      },
    }),
    (c) => c.json({ nodeTypes: services.registry.describe() }, 200),
  );
  return router;
}
