import { createRoute, z } from '@hono/zod-openapi';
import { type Condition, conditionSchema, evaluateCondition, type HistoryEvent } from '@waymark/nodes';
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { announceAudienceChange } from '../audience/features.ts';
import { dropScan, queueScan } from '../audience/scans.ts';
import { audienceScans, segmentMembers } from '../db/audience-schema.ts';
import type { Db } from '../db/client.ts';
import { contacts, events, segments } from '../db/schema.ts';
import { ApiError, notFound } from '../errors.ts';
import type { Services } from '../services.ts';
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, newRouter } from './openapi.ts';

const idSchema = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,99}$/, 'must be 1–100 letters, digits, _ or -');
// The condition language is recursive; OpenAPI describes it as an object and the handler checks it
// with the journey schema, so errors still name the offending field.
const conditionBody = z.record(z.string(), z.unknown()).openapi({ description: 'A condition of the journey language' });
const segmentInput = z.object({ name: z.string().trim().min(1).max(200), condition: conditionBody });

function parseCondition(value: unknown): Condition {
  const parsed = conditionSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = ['condition', ...(issue?.path ?? []).map(String)].join('.');
  throw new ApiError('invalid_request', `${path}: ${issue?.message ?? 'not a valid condition'}`, {
    issues: parsed.error.issues,
  });
}
const segmentSchema = z
  .object({ id: z.string(), name: z.string(), condition: z.unknown(), updatedAt: z.string() })
  .openapi('Segment');
const previewSchema = z.object({
  count: z.number(),
  scanned: z.number(),
  sample: z.array(z.object({ id: z.string(), email: z.string().nullable() })),
});

function usesEvents(c: Condition): boolean {
  if ('all' in c) return c.all.some(usesEvents);
  if ('any' in c) return c.any.some(usesEvents);
  if ('not' in c) return usesEvents(c.not);
  return 'event' in c;
}

/**
 * Counts the workspace's contacts matching a condition, with the first few as a sample, scanning
 * contacts page by page (and their events of the last 400 days when the condition counts events)
 * with the same evaluator journeys use.
 */
export async function previewSegment(db: Db, workspaceId: string, condition: Condition, sampleSize = 10) {
  const needsEvents = usesEvents(condition);
  const now = Date.now();
  let count = 0;
  let scanned = 0;
  const sample: { id: string; email: string | null }[] = [];
  let after = '';
  for (;;) {
    const page = await db
      .select({ id: contacts.id, email: contacts.email, attributes: contacts.attributes })
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), gt(contacts.id, after)))
      .orderBy(asc(contacts.id))
      .limit(1000);
    if (page.length === 0) break;
    after = page[page.length - 1]?.id as string;
    const history = new Map<string, HistoryEvent[]>();
    if (needsEvents) {
      const rows = await db
        .select({ contactId: events.contactId, name: events.name, at: events.at, properties: events.properties })
        .from(events)
        .where(
          and(
            eq(events.workspaceId, workspaceId),
            inArray(
              events.contactId,
              page.map((p) => p.id),
            ),
            gt(events.at, new Date(now - 400 * 86_400_000)),
          ),
        )
        .orderBy(asc(events.at));
      for (const r of rows)
        history.set(r.contactId, [
          ...(history.get(r.contactId) ?? []),
          { event: r.name, at: r.at.getTime(), properties: r.properties },
        ]);
    }
    for (const c of page) {
      scanned++;
      if (
        !evaluateCondition(condition, {
          attributes: { email: c.email, ...c.attributes },
          history: history.get(c.id) ?? [],
          now,
        })
      )
        continue;
      count++;
      if (sample.length < sampleSize) sample.push({ id: c.id, email: c.email });
    }
  }
  return { count, scanned, sample };
}

/** Segments: saved conditions with a preview of who matches before saving. */
export function segmentRoutes(services: Services) {
  const router = newRouter();
  const { db } = services;
  const present = (r: typeof segments.$inferSelect) => ({
    id: r.id,
    name: r.name,
    condition: r.condition,
    updatedAt: r.updatedAt.toISOString(),
  });

  router.openapi(
    createRoute({
      method: 'post',
      path: '/segments/preview',
      security: bearerSecurity,
      request: jsonBody(z.object({ condition: conditionBody })),
      responses: { 200: jsonResponse(previewSchema, 'How many contacts match, with a sample'), ...errorResponses },
    }),
    async (c) =>
      c.json(
        await previewSegment(db, c.get('principal').workspaceId, parseCondition(c.req.valid('json').condition)),
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/segments',
      security: bearerSecurity,
      request: jsonBody(segmentInput.extend({ id: idSchema })),
      responses: { 201: jsonResponse(segmentSchema, 'Created'), 409: errorResponses[400], ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      if (p.access === 'read') throw new ApiError('forbidden', 'read-only token');
      const body = c.req.valid('json');
      const condition = parseCondition(body.condition) as Record<string, unknown>;
      const row = await db.transaction(async (tx) => {
        const [inserted] = await tx
          .insert(segments)
          .values({ workspaceId: p.workspaceId, id: body.id, name: body.name, condition })
          .onConflictDoNothing()
          .returning();
        if (!inserted) throw new ApiError('conflict', `segment "${body.id}" already exists`);
        // Who matches now becomes a member in the background, without "entering" (see docs/audience.md).
        await queueScan(tx, p.workspaceId, 'segment', inserted.id);
        await announceAudienceChange(tx, services);
        return inserted;
      });
      return c.json(present(row), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/segments',
      security: bearerSecurity,
      responses: { 200: jsonResponse(z.object({ segments: z.array(segmentSchema) }), 'Segments'), ...errorResponses },
    }),
    async (c) =>
      c.json(
        {
          segments: (
            await db
              .select()
              .from(segments)
              .where(eq(segments.workspaceId, c.get('principal').workspaceId))
              .orderBy(asc(segments.name))
          ).map(present),
        },
        200,
      ),
  );

  const params = z.object({ id: idSchema.openapi({ param: { name: 'id', in: 'path' } }) });
  router.openapi(
    createRoute({
      method: 'get',
      path: '/segments/{id}',
      security: bearerSecurity,
      request: { params },
      responses: {
        200: jsonResponse(segmentSchema.extend(previewSchema.shape), 'Segment with its current count'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const [row] = await db
        .select()
        .from(segments)
        .where(and(eq(segments.workspaceId, p.workspaceId), eq(segments.id, id)));
      if (!row) throw notFound('segment', id);
      return c.json({ ...present(row), ...(await previewSegment(db, p.workspaceId, row.condition as Condition)) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/segments/{id}',
      security: bearerSecurity,
      request: { params },
      responses: { 200: jsonResponse(z.object({ deleted: z.boolean() }), 'Deleted'), ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const rows = await db.transaction(async (tx) => {
        // Members go with the segment (foreign key); a pass still computing it is dropped.
        const deleted = await tx
          .delete(segments)
          .where(and(eq(segments.workspaceId, p.workspaceId), eq(segments.id, id)))
          .returning({ id: segments.id });
        await dropScan(tx, p.workspaceId, 'segment', id);
        await announceAudienceChange(tx, services);
        return deleted;
      });
      if (rows.length === 0) throw notFound('segment', id);
      return c.json({ deleted: true }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/segments/{id}',
      security: bearerSecurity,
      request: { params, ...jsonBody(segmentInput) },
      responses: { 200: jsonResponse(segmentSchema, 'Updated'), ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      if (p.access === 'read') throw new ApiError('forbidden', 'read-only token');
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const condition = parseCondition(body.condition) as Record<string, unknown>;
      const row = await db.transaction(async (tx) => {
        const [before] = await tx
          .select({ condition: segments.condition })
          .from(segments)
          .where(and(eq(segments.workspaceId, p.workspaceId), eq(segments.id, id)))
          .for('update');
        if (!before) throw notFound('segment', id);
        const [updated] = await tx
          .update(segments)
          .set({ name: body.name, condition, updatedAt: new Date() })
          .where(and(eq(segments.workspaceId, p.workspaceId), eq(segments.id, id)))
          .returning();
        if (JSON.stringify(before.condition) !== JSON.stringify(condition)) {
          // Membership is recomputed in the background, silently, as when the segment was created.
          await queueScan(tx, p.workspaceId, 'segment', id);
          await announceAudienceChange(tx, services);
        }
        return updated as typeof segments.$inferSelect;
      });
      return c.json(present(row), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/segments/{id}/members',
      security: bearerSecurity,
      request: {
        params,
        query: z.object({
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          after: z.string().optional().openapi({ description: 'The last contact id of the previous page' }),
        }),
      },
      responses: {
        200: jsonResponse(
          z.object({
            members: z.array(z.object({ contactId: z.string(), email: z.string().nullable(), enteredAt: z.string() })),
            next: z.string().nullable(),
            computing: z
              .boolean()
              .openapi({ description: 'True while membership is still being computed after a save' }),
          }),
          'Current members by contact id',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const { limit, after } = c.req.valid('query');
      const [row] = await db
        .select({ id: segments.id })
        .from(segments)
        .where(and(eq(segments.workspaceId, p.workspaceId), eq(segments.id, id)));
      if (!row) throw notFound('segment', id);
      // The pass first, the members second: a pass that ends in between has committed its last page
      // by then, so "not computing" always comes with the finished membership.
      const [scan] = await db
        .select({ target: audienceScans.target })
        .from(audienceScans)
        .where(
          and(
            eq(audienceScans.workspaceId, p.workspaceId),
            eq(audienceScans.kind, 'segment'),
            eq(audienceScans.target, id),
          ),
        );
      const rows = await db
        .select({ contactId: segmentMembers.contactId, email: contacts.email, enteredAt: segmentMembers.enteredAt })
        .from(segmentMembers)
        .innerJoin(
          contacts,
          and(eq(contacts.workspaceId, segmentMembers.workspaceId), eq(contacts.id, segmentMembers.contactId)),
        )
        .where(
          and(
            eq(segmentMembers.workspaceId, p.workspaceId),
            eq(segmentMembers.segmentId, id),
            after === undefined ? undefined : gt(segmentMembers.contactId, after),
          ),
        )
        .orderBy(asc(segmentMembers.contactId))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      return c.json(
        {
          members: page.map((m) => ({ ...m, enteredAt: m.enteredAt.toISOString() })),
          next: rows.length > limit ? (page[page.length - 1]?.contactId ?? null) : null,
          computing: scan !== undefined,
        },
        200,
      );
    },
  );
  return router;
}
