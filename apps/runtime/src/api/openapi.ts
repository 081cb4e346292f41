import { OpenAPIHono, z } from '@hono/zod-openapi';
import { ApiError } from '../errors.ts';
import type { AuthEnv } from './auth.ts';

/** The JSON error body every failing route returns. */
export const errorSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  })
  .openapi('Error');

/** Standard error responses for route definitions. */
export const errorResponses = {
  400: { description: 'Invalid request', content: { 'application/json': { schema: errorSchema } } },
  401: { description: 'Missing or invalid credentials', content: { 'application/json': { schema: errorSchema } } },
  403: { description: 'Not allowed for this credential', content: { 'application/json': { schema: errorSchema } } },
  404: { description: 'Not found in this workspace', content: { 'application/json': { schema: errorSchema } } },
} as const;

/** Request validation failures become 400s that name every offending field. */
export function newRouter(): OpenAPIHono<AuthEnv> {
  return new OpenAPIHono<AuthEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = result.error.issues.map((i) => ({
          path: i.path.map(String).join('.'),
          code: i.code,
          message: i.message,
        }));
        const first = issues[0];
        const where = result.target === 'json' ? '' : `${result.target} `;
        throw new ApiError(
          'invalid_request',
          first ? `${where}${first.path || '(body)'}: ${first.message}` : 'invalid request',
          { issues },
        );
      }
    },
  });
}

/** The bearer security scheme the OpenAPI document declares. */
export const bearerSecurity = [{ bearer: [] }];

/** A JSON request body for a route definition. */
export function jsonBody<T extends z.ZodType>(schema: T, description = 'JSON body') {
  return { body: { required: true, description, content: { 'application/json': { schema } } } };
}

/** A JSON response for a route definition. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}
