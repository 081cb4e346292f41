import { OpenAPIHono } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { ApiError } from '../errors.ts';
import type { Services } from '../services.ts';
import { type AuthEnv, authenticate } from './auth.ts';
import { apiRoutes } from './routes.ts';

/** Builds the HTTP app: `/v1` API (authenticated), public tracking and unsubscribe links, health. */
export function createApp(services: Services): OpenAPIHono<AuthEnv> {
  const app = new OpenAPIHono<AuthEnv>();

  app.onError((err, c) => {
    if (err instanceof ApiError) {
      return c.json(
        {
          error: {
            code: err.code,
            message: err.message,
            ...(err.details === undefined ? {} : { details: err.details }),
          },
        },
        err.status,
      );
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      const code = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : 'invalid_request';
      return c.json({ error: { code, message: err.message || 'bad request' } }, status);
    }
    if (err instanceof SyntaxError)
      return c.json({ error: { code: 'invalid_request', message: `body is not valid JSON: ${err.message}` } }, 400);
    services.log.error('unhandled error', { method: c.req.method, path: c.req.path, err });
    return c.json({ error: { code: 'internal', message: 'internal error; it has been logged' } }, 500);
  });
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404));

  if (services.config.embedOrigins.length > 0) {
    // Host pages on other origins may load the embedded editor and call the API with an editor token.
    const embedCors = cors({
      origin: services.config.embedOrigins,
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
      allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      maxAge: 600,
    });
    app.use('/v1/*', embedCors);
    app.use('/embed/*', embedCors);
  }

  app.get('/health', (c) => c.json({ ok: true, database: services.database.kind }));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/v1/openapi.json', { openapi: '3.1.0', info: { title: 'Waymark API', version: '1' } });

  app.use('/v1/*', async (c, next) => {
    if (c.req.path === '/v1/openapi.json' || c.req.path === '/v1/sign-in') return next();
    return authenticate(services.db, services.secrets.tokens)(c, next);
  });
  app.route('/v1', apiRoutes(services));
  return app;
}
