import { createRoute, z } from '@hono/zod-openapi';
import { currentSchemaVersion, nodeUpgrades, type Problem, upgradeJourneyNodes, validateJourney } from '@waymark/nodes';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { dateTriggersOf } from '../audience/features.ts';
import { queueScan } from '../audience/scans.ts';
import { hashJson, newId } from '../crypto.ts';
import { recordAudit } from '../db/audit.ts';
import { notify } from '../db/client.ts';
import { insertEvents } from '../db/events.ts';
import { rowsOf } from '../db/rows.ts';
import { contacts, journeyStates, journeys, journeyVersions, nodeStats } from '../db/schema.ts';
import { ApiError, notFound } from '../errors.ts';
import { journeysChannel } from '../scheduler/journey-cache.ts';
import type { Services } from '../services.ts';
import { type Principal, requireJourneyAccess } from './auth.ts';
import { clientIp } from './client-ip.ts';
import { missingReferences } from './missing-references.ts';
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, newRouter } from './openapi.ts';

const idSchema = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,99}$/, 'must be 1–100 letters, digits, _ or -, starting with a letter or digit');
const jsonObject = z.record(z.string(), z.unknown());
const problemSchema = z
  .object({
    code: z.string(),
    message: z.string(),
    nodeId: z.string().optional(),
    edgeId: z.string().optional(),
    path: z.array(z.union([z.string(), z.number()])).optional(),
  })
  .openapi('Problem');
const journeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(['draft', 'active', 'paused', 'archived']),
    definition: jsonObject,
    layout: jsonObject,
    liveVersion: z.number().nullable(),
    updatedAt: z.string(),
  })
  .openapi('Journey');
const upgradeSchema = z
  .object({ node: z.string(), type: z.string(), from: z.number(), to: z.number() })
  .openapi('NodeUpgrade');
const versionSchema = z
  .object({
    id: z.string(),
    version: z.number(),
    hash: z.string(),
    publishedAt: z.string(),
    definition: jsonObject.optional(),
    layout: jsonObject.optional(),
  })
  .openapi('JourneyVersion');
const params = z.object({ id: idSchema.openapi({ param: { name: 'id', in: 'path' } }) });

type JourneyRow = typeof journeys.$inferSelect;

/** The journey row, or 404; checks editor-token scope. */
async function load(services: Services, p: Principal, id: string): Promise<JourneyRow> {
  requireJourneyAccess(p, id);
  const [row] = await services.db
    .select()
    .from(journeys)
    .where(and(eq(journeys.workspaceId, p.workspaceId), eq(journeys.id, id)));
  if (!row) throw notFound('journey', id);
  return row;
}

async function present(services: Services, row: JourneyRow) {
  let liveVersion: number | null = null;
  if (row.liveVersionId) {
    const [v] = await services.db
      .select({ version: journeyVersions.version })
      .from(journeyVersions)
      .where(eq(journeyVersions.id, row.liveVersionId));
    liveVersion = v?.version ?? null;
  }
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    definition: row.draft,
    layout: row.layout,
    liveVersion,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A draft keeps the journey's id and name in its definition, whatever the editor sent. */
function normalizeDraft(
  id: string,
  name: string,
  definition: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return { schemaVersion: currentSchemaVersion, nodes: [], edges: [], settings: {}, ...(definition ?? {}), id, name };
}

/** The ids of a draft's steps (a draft need not be valid). */
function draftStepIds(draft: unknown): string[] {
  const nodes = (draft as { nodes?: unknown } | null)?.nodes;
  return Array.isArray(nodes)
    ? nodes.flatMap((n: { id?: unknown } | null) => (typeof n?.id === 'string' ? [n.id] : []))
    : [];
}

/** Journeys: drafts, validation, immutable published versions, lifecycle, manual enrolment, stats. */
export function journeyRoutes(services: Services) {
  const router = newRouter();
  const { db } = services;

  router.openapi(
    createRoute({
      method: 'post',
      path: '/journeys',
      security: bearerSecurity,
      request: jsonBody(
        z.object({
          id: idSchema.optional(),
          name: z.string().trim().min(1).max(200),
          definition: jsonObject.optional(),
          layout: jsonObject.optional(),
        }),
      ),
      responses: { 201: jsonResponse(journeySchema, 'Created'), ...errorResponses, 409: errorResponses[400] },
    }),
    async (c) => {
      const p = c.get('principal');
      if (p.journeyId !== undefined) throw new ApiError('forbidden', 'this editor token is limited to one journey');
      const body = c.req.valid('json');
      const id = body.id ?? newId('j_');
      const rows = await db
        .insert(journeys)
        .values({
          workspaceId: p.workspaceId,
          id,
          name: body.name,
          draft: normalizeDraft(id, body.name, body.definition),
          layout: body.layout ?? {},
        })
        .onConflictDoNothing()
        .returning();
      if (!rows[0]) throw new ApiError('conflict', `journey "${id}" already exists`);
      return c.json(await present(services, rows[0]), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/journeys',
      security: bearerSecurity,
      responses: {
        200: jsonResponse(
          z.object({ journeys: z.array(journeySchema.omit({ definition: true, layout: true })) }),
          'Journeys',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const rows = await db
        .select()
        .from(journeys)
        .where(
          p.journeyId === undefined
            ? eq(journeys.workspaceId, p.workspaceId)
            : and(eq(journeys.workspaceId, p.workspaceId), eq(journeys.id, p.journeyId)),
        )
        .orderBy(desc(journeys.updatedAt));
      const list = await Promise.all(rows.map((r) => present(services, r)));
      return c.json({ journeys: list.map(({ definition: _d, layout: _l, ...rest }) => rest) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/journeys/{id}',
      security: bearerSecurity,
      request: { params },
      responses: {
        200: jsonResponse(
          journeySchema.extend({ upgrades: z.array(upgradeSchema) }),
          'Journey, and the steps of its draft whose node type has a newer version',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const row = await load(services, c.get('principal'), c.req.valid('param').id);
      return c.json({ ...(await present(services, row)), upgrades: nodeUpgrades(row.draft, services.registry) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/journeys/{id}/draft',
      security: bearerSecurity,
      request: {
        params,
        ...jsonBody(
          z.object({
            name: z.string().trim().min(1).max(200).optional(),
            definition: jsonObject,
            layout: jsonObject.optional(),
          }),
        ),
      },
      responses: {
        200: jsonResponse(journeySchema.extend({ problems: z.array(problemSchema) }), 'Saved draft and its problems'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const row = await load(services, p, c.req.valid('param').id);
      if (row.status === 'archived') throw new ApiError('conflict', 'an archived journey cannot be edited');
      const body = c.req.valid('json');
      const name = body.name ?? row.name;
      const draft = normalizeDraft(row.id, name, body.definition);
      const [saved] = await db
        .update(journeys)
        .set({ name, draft, layout: body.layout ?? row.layout, updatedAt: new Date() })
        .where(and(eq(journeys.workspaceId, p.workspaceId), eq(journeys.id, row.id)))
        .returning();
      const result = validateJourney(draft, services.registry);
      return c.json({ ...(await present(services, saved as JourneyRow)), problems: result.problems }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/journeys/{id}/validate',
      security: bearerSecurity,
      request: { params },
      responses: {
        200: jsonResponse(
          z.object({ valid: z.boolean(), problems: z.array(problemSchema), upgrades: z.array(upgradeSchema) }),
          'Problems of the draft, and its steps whose node type has a newer version',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const row = await load(services, c.get('principal'), c.req.valid('param').id);
      const result = validateJourney(row.draft, services.registry);
      return c.json(
        {
          valid: result.ok,
          problems: result.problems as Problem[],
          upgrades: nodeUpgrades(row.draft, services.registry),
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/journeys/{id}/draft/upgrade',
      security: bearerSecurity,
      description:
        'Migrates steps of the draft to the newest version of their node type (all of them, or those named), ' +
        "through the package's migrations, and saves the draft. All or nothing. Published versions keep theirs.",
      request: { params, ...jsonBody(z.object({ nodes: z.array(idSchema).min(1).max(1000).optional() })) },
      responses: {
        200: jsonResponse(
          journeySchema.extend({
            upgraded: z.array(upgradeSchema),
            upgrades: z.array(upgradeSchema),
            problems: z.array(problemSchema),
          }),
          'The saved draft, the steps upgraded, and its problems',
        ),
        409: errorResponses[400],
        422: errorResponses[400],
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const row = await load(services, p, c.req.valid('param').id);
      if (row.status === 'archived') throw new ApiError('conflict', 'an archived journey cannot be edited');
      const { nodes } = c.req.valid('json');
      const draftIds = new Set(draftStepIds(row.draft));
      const missing = (nodes ?? []).findIndex((id) => !draftIds.has(id));
      if (nodes && missing >= 0)
        throw new ApiError('invalid_request', `nodes[${missing}]: the draft has no step "${nodes[missing]}"`);
      const result = upgradeJourneyNodes(row.draft, services.registry, nodes);
      if (!result.ok)
        throw new ApiError(
          'journey_invalid',
          `cannot upgrade ${result.problems[0]?.message ?? 'the draft'}; nothing was changed`,
          { problems: result.problems },
        );
      let saved = row;
      if (result.upgraded.length > 0)
        [saved] = (await db
          .update(journeys)
          .set({ draft: result.definition, updatedAt: new Date() })
          .where(and(eq(journeys.workspaceId, p.workspaceId), eq(journeys.id, row.id)))
          .returning()) as [JourneyRow];
      const draft = saved.draft;
      return c.json(
        {
          ...(await present(services, saved)),
          upgraded: result.upgraded,
          upgrades: nodeUpgrades(draft, services.registry),
          problems: validateJourney(draft, services.registry).problems,
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/journeys/{id}/publish',
      security: bearerSecurity,
      request: { params },
      responses: {
        200: jsonResponse(versionSchema.extend({ created: z.boolean() }), 'The live version'),
        422: errorResponses[400],
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const row = await load(services, p, c.req.valid('param').id);
      if (row.status === 'archived') throw new ApiError('conflict', 'an archived journey cannot be published');
      const result = validateJourney(row.draft, services.registry);
      if (!result.ok)
        throw new ApiError(
          'journey_invalid',
          `the journey has ${result.problems.length} problem(s); fix them before publishing`,
          { problems: result.problems },
        );
      const missing = await missingReferences(db, p.workspaceId, result.journey.definition, services.registry);
      const [first] = missing;
      if (first)
        throw new ApiError(
          'journey_invalid',
          `step "${first.nodeId}": ${first.message}` +
            (missing.length > 1 ? ` (and ${missing.length - 1} more missing template(s) or segment(s))` : ''),
          { problems: missing },
        );
      const definition = result.journey.definition as unknown as Record<string, unknown>;
      const hash = hashJson(definition);
      const out = await db.transaction(async (tx) => {
        // Lock the journey so two publishes cannot take the same version number.
        await tx.execute(
          sql`select 1 from journeys where workspace_id = ${p.workspaceId} and id = ${row.id} for update`,
        );
        const [latest] = await tx
          .select()
          .from(journeyVersions)
          .where(and(eq(journeyVersions.workspaceId, p.workspaceId), eq(journeyVersions.journeyId, row.id)))
          .orderBy(desc(journeyVersions.version))
          .limit(1);
        let version = latest;
        let created = false;
        if (!latest || latest.hash !== hash) {
          [version] = await tx
            .insert(journeyVersions)
            .values({
              id: newId('v_'),
              workspaceId: p.workspaceId,
              journeyId: row.id,
              version: (latest?.version ?? 0) + 1,
              hash,
              definition,
              layout: row.layout,
            })
            .returning();
          created = true;
        }
        const v = version as typeof journeyVersions.$inferSelect;
        await tx
          .update(journeys)
          .set({ liveVersionId: v.id, status: row.status === 'paused' ? 'paused' : 'active', updatedAt: new Date() })
          .where(and(eq(journeys.workspaceId, p.workspaceId), eq(journeys.id, row.id)));
        await notify(tx, journeysChannel);
        if (dateTriggersOf(result.journey).length > 0) await queueScan(tx, p.workspaceId, 'dates', row.id);
        if (created)
          await recordAudit(tx, {
            workspaceId: p.workspaceId,
            actor: p.actor,
            action: 'journey.published',
            subjectType: 'journey',
            subjectId: row.id,
            details: { version: v.version, hash: v.hash },
            ip: clientIp(c, services.config.trustProxy),
          });
        return { v, created };
      });
      services.log.info('journey published', {
        workspaceId: p.workspaceId,
        journeyId: row.id,
        version: out.v.version,
        created: out.created,
      });
      return c.json(
        {
          id: out.v.id,
          version: out.v.version,
          hash: out.v.hash,
          publishedAt: out.v.publishedAt.toISOString(),
          created: out.created,
        },
        200,
      );
    },
  );

  for (const action of ['pause', 'resume', 'archive'] as const) {
    router.openapi(
      createRoute({
        method: 'post',
        path: `/journeys/{id}/${action}`,
        security: bearerSecurity,
        request: { params },
        responses: { 200: jsonResponse(journeySchema, 'Journey'), 409: errorResponses[400], ...errorResponses },
      }),
      async (c) => {
        const p = c.get('principal');
        const row = await load(services, p, c.req.valid('param').id);
        if (row.status === 'archived') throw new ApiError('conflict', 'the journey is archived');
        if (action !== 'archive' && !row.liveVersionId) throw new ApiError('conflict', 'publish the journey first');
        const status = action === 'pause' ? 'paused' : action === 'resume' ? 'active' : 'archived';
        const [saved] = await db
          .update(journeys)
          .set({ status, updatedAt: new Date() })
          .where(and(eq(journeys.workspaceId, p.workspaceId), eq(journeys.id, row.id)))
          .returning();
        await notify(db, journeysChannel);
        services.wake.scheduler();
        return c.json(await present(services, saved as JourneyRow), 200);
      },
    );
  }

  router.openapi(
    createRoute({
      method: 'get',
      path: '/journeys/{id}/versions',
      security: bearerSecurity,
      request: { params },
      responses: {
        200: jsonResponse(z.object({ versions: z.array(versionSchema) }), 'Published versions, newest first'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const row = await load(services, p, c.req.valid('param').id);
      const rows = await db
        .select({
          id: journeyVersions.id,
          version: journeyVersions.version,
          hash: journeyVersions.hash,
          publishedAt: journeyVersions.publishedAt,
        })
        .from(journeyVersions)
        .where(and(eq(journeyVersions.workspaceId, p.workspaceId), eq(journeyVersions.journeyId, row.id)))
        .orderBy(desc(journeyVersions.version));
      return c.json({ versions: rows.map((v) => ({ ...v, publishedAt: v.publishedAt.toISOString() })) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/journeys/{id}/versions/{version}',
      security: bearerSecurity,
      request: {
        params: params.extend({
          version: z.coerce
            .number()
            .int()
            .min(1)
            .openapi({ param: { name: 'version', in: 'path' } }),
        }),
      },
      responses: { 200: jsonResponse(versionSchema, 'One published version'), ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      const { id, version } = c.req.valid('param');
      const row = await load(services, p, id);
      const [v] = await db
        .select()
        .from(journeyVersions)
        .where(
          and(
            eq(journeyVersions.workspaceId, p.workspaceId),
            eq(journeyVersions.journeyId, row.id),
            eq(journeyVersions.version, version),
          ),
        );
      if (!v) throw notFound('version', String(version));
      return c.json(
        {
          id: v.id,
          version: v.version,
          hash: v.hash,
          publishedAt: v.publishedAt.toISOString(),
          definition: v.definition,
          layout: v.layout,
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/journeys/{id}/enrol',
      security: bearerSecurity,
      request: {
        params,
        ...jsonBody(z.object({ contactIds: z.array(z.string().min(1).max(200)).min(1).max(10_000) })),
      },
      responses: {
        202: jsonResponse(z.object({ accepted: z.number() }), 'Enrolments queued'),
        409: errorResponses[400],
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const row = await load(services, p, c.req.valid('param').id);
      if (row.status !== 'active')
        throw new ApiError('conflict', `the journey is ${row.status}; only an active journey enrols contacts`);
      const { contactIds } = c.req.valid('json');
      const unique = [...new Set(contactIds)];
      const found = await db
        .select({ id: contacts.id })
        .from(contacts)
        .where(and(eq(contacts.workspaceId, p.workspaceId), inArray(contacts.id, unique)));
      const known = new Set(found.map((f) => f.id));
      const missing = unique.filter((id) => !known.has(id));
      if (missing.length > 0)
        throw new ApiError('invalid_request', `contactIds: unknown contact(s): ${missing.slice(0, 5).join(', ')}`, {
          missing,
        });
      const now = new Date();
      await insertEvents(
        db,
        unique.map((contactId) => ({
          workspaceId: p.workspaceId,
          contactId,
          name: 'journey.enrol',
          at: now,
          properties: { journey: row.id },
        })),
      );
      services.wake.scheduler();
      return c.json({ accepted: unique.length }, 202);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/journeys/{id}/stats',
      security: bearerSecurity,
      request: { params, query: z.object({ version: z.coerce.number().int().min(1).optional() }) },
      responses: {
        200: jsonResponse(
          z.object({
            version: z.number().nullable(),
            nodes: z.record(z.string(), z.record(z.string(), z.number())),
          }),
          'Per-node counters of a version (default: live)',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const row = await load(services, p, c.req.valid('param').id);
      const wanted = c.req.valid('query').version;
      const [v] = await db
        .select()
        .from(journeyVersions)
        .where(
          wanted === undefined
            ? eq(journeyVersions.id, row.liveVersionId ?? '')
            : and(
                eq(journeyVersions.workspaceId, p.workspaceId),
                eq(journeyVersions.journeyId, row.id),
                eq(journeyVersions.version, wanted),
              ),
        );
      if (!v) return c.json({ version: null, nodes: {} }, 200);
      const counters = await db
        .select()
        .from(nodeStats)
        .where(and(eq(nodeStats.workspaceId, p.workspaceId), eq(nodeStats.versionId, v.id)));
      const nodes: Record<string, Record<string, number>> = {};
      for (const s of counters) {
        nodes[s.node] ??= {};
        (nodes[s.node] as Record<string, number>)[s.metric] = s.count;
      }
      const waiting = rowsOf<{ node: string; n: number | string }>(
        await db.execute(
          sql`select node, count(*) as n from ${journeyStates} where workspace_id = ${p.workspaceId} and version_id = ${v.id} and node is not null group by node`,
        ),
      );
      for (const w of waiting) {
        nodes[w.node] ??= {};
        (nodes[w.node] as Record<string, number>).waiting = Number(w.n);
      }
      return c.json({ version: v.version, nodes }, 200);
    },
  );

  return router;
}
