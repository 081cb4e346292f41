import type { OpenAPIHono } from '@hono/zod-openapi';
import { devInboxRoutes } from '../dev-smtp/routes.ts';
import type { Services } from '../services.ts';
import { accessRoutes } from './access.ts';
import { aiRoutes } from './ai.ts';
import { approvalRoutes } from './approvals.ts';
import { audienceRoutes } from './audience.ts';
import type { AuthEnv } from './auth.ts';
import { contactRoutes } from './contacts.ts';
import { eventRoutes } from './events.ts';
import { importRoutes } from './imports.ts';
import { journeyRoutes } from './journeys.ts';
import { nodeTypeRoutes } from './node-types.ts';
import { newRouter } from './openapi.ts';
import { rfmRoutes } from './rfm.ts';
import { secretRoutes } from './secrets.ts';
import { segmentRoutes } from './segments.ts';
import { templateRoutes } from './templates.ts';
import { topicRoutes } from './topics.ts';

/** Every `/v1` route module, mounted on one router. */
export function apiRoutes(services: Services): OpenAPIHono<AuthEnv> {
  const router = newRouter();
  router.route('/', nodeTypeRoutes(services));
  router.route('/', accessRoutes(services));
  router.route('/', contactRoutes(services));
  router.route('/', audienceRoutes(services));
  router.route('/', importRoutes(services));
  router.route('/', segmentRoutes(services));
  router.route('/', rfmRoutes(services));
  router.route('/', approvalRoutes(services));
  router.route('/', aiRoutes(services));
  router.route('/', secretRoutes(services));
  router.route('/', eventRoutes(services));
  router.route('/', journeyRoutes(services));
  router.route('/', templateRoutes(services));
  router.route('/', topicRoutes(services));
  router.route('/', devInboxRoutes(services));
  return router;
}
