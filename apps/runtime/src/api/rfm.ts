import { createRoute, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { announceAudienceChange } from '../audience/features.ts';
import { rfmSettingsSchema } from '../audience/rfm.ts';
import { queueScan } from '../audience/scans.ts';
import { rfmSettings } from '../db/audience-schema.ts';
import { ApiError } from '../errors.ts';
import type { Services } from '../services.ts';
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, newRouter } from './openapi.ts';

const responseSchema = rfmSettingsSchema.extend({
  enabled: z
    .boolean()
    .openapi({ description: 'False until settings are saved; contacts get no `rfm` attribute before' }),
});

/** RFM settings of the workspace: read them, or save them (which recomputes every contact's `rfm` attribute). */
export function rfmRoutes(services: Services) {
  const router = newRouter();
  const { db } = services;

  router.openapi(
    createRoute({
      method: 'get',
      path: '/rfm',
      security: bearerSecurity,
      responses: { 200: jsonResponse(responseSchema, 'RFM settings (defaults when not enabled)'), ...errorResponses },
    }),
    async (c) => {
      const [row] = await db
        .select()
        .from(rfmSettings)
        .where(eq(rfmSettings.workspaceId, c.get('principal').workspaceId));
      const settings = rfmSettingsSchema.parse(
        row ? { purchaseEvent: row.purchaseEvent, amountProperty: row.amountProperty, thresholds: row.thresholds } : {},
      );
      return c.json({ ...settings, enabled: row !== undefined }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/rfm',
      security: bearerSecurity,
      request: jsonBody(rfmSettingsSchema),
      responses: {
        200: jsonResponse(responseSchema, 'Saved; every contact is rescored in the background'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      if (p.access === 'read') throw new ApiError('forbidden', 'read-only token');
      const settings = c.req.valid('json');
      const values = {
        purchaseEvent: settings.purchaseEvent,
        amountProperty: settings.amountProperty,
        thresholds: settings.thresholds,
        updatedAt: new Date(),
      };
      await db.transaction(async (tx) => {
        await tx
          .insert(rfmSettings)
          .values({ workspaceId: p.workspaceId, ...values })
          .onConflictDoUpdate({ target: rfmSettings.workspaceId, set: values });
        await queueScan(tx, p.workspaceId, 'rfm', 'rfm');
        await announceAudienceChange(tx, services);
      });
      return c.json({ ...settings, enabled: true }, 200);
    },
  );
  return router;
}
