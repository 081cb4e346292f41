import { createRoute, z } from '@hono/zod-openapi';
import { and, eq, sql } from 'drizzle-orm';
import { audienceAffected, featuresOf } from '../audience/features.ts';
import { refreshAudience } from '../audience/refresh.ts';
import { hashJson } from '../crypto.ts';
import type { Db, Tx } from '../db/client.ts';
import { eventsJson, insertEvents, type NewEvent, notifySchedulers } from '../db/events.ts';
import { rowsOf } from '../db/rows.ts';
import { idempotencyKeys } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import type { Services } from '../services.ts';
import { contactIdSchema, emailSchema, upsertContacts } from './contacts.ts';
import { groupCommit } from './group-commit.ts';
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, newRouter } from './openapi.ts';

/** Event names reserved for the runtime's own signals; clients cannot forge them. */
const reserved = /^(effect\.result|approval\.decided|journey\.|email\.|segment\.)/;

const eventInput = z
  .object({
    contactId: contactIdSchema.optional(),
    email: emailSchema.optional(),
    event: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .refine((n) => !reserved.test(n), 'this event name is reserved for Waymark itself'),
    at: z.iso.datetime({ offset: true }).optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
    /** Attributes to set on the contact before the event is applied. */
    attributes: z.record(z.string().min(1), z.unknown()).optional(),
  })
  .refine((e) => e.contactId !== undefined || e.email !== undefined, {
    message: 'give contactId or email',
    path: ['contactId'],
  })
  .openapi('EventInput');

const bodySchema = z.union([eventInput, z.object({ events: z.array(eventInput).min(1).max(5_000) })]);
const responseSchema = z.object({ accepted: z.number(), ids: z.array(z.number()), replayed: z.boolean() });

type EventInput = z.infer<typeof eventInput>;

/** The rows of `list`'s events, the i-th for contact `contactIds[i]`; events without `at` happen now. */
function eventRows(workspaceId: string, list: readonly EventInput[], contactIds: readonly string[]): NewEvent[] {
  const now = new Date();
  return list.map((e, i) => ({
    workspaceId,
    contactId: contactIds[i] as string,
    name: e.event,
    at: e.at === undefined ? now : new Date(e.at),
    properties: e.properties ?? {},
  }));
}

/**
 * The common case — events for contacts given by id, without email addresses and without an
 * Idempotency-Key — in ONE statement (atomic on its own): the contacts upserted with their attribute
 * changes and the events inserted. It does what the general path does (no email means no address
 * lookup, no erasure check and no email conflict), in one round trip instead of five: the
 * difference between 1 and 5 database round trips per request is most of the cost of ingesting
 * single events.
 */
async function recordEventsOfKnownContacts(
  db: Db | Tx,
  workspaceId: string,
  list: readonly EventInput[],
): Promise<number[]> {
  const merged = new Map<string, Record<string, unknown>>();
  for (const e of list) {
    const id = e.contactId as string;
    merged.set(id, { ...(merged.get(id) ?? {}), ...(e.attributes ?? {}) });
  }
  const contactRows = [...merged.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, attributes]) => ({ id, attributes }));
  const rows = eventRows(
    workspaceId,
    list,
    list.map((e) => e.contactId as string),
  );
  const result = await db.execute(sql`
    with upserted as (
      insert into contacts (workspace_id, id, attributes)
      select ${workspaceId}, x.id, x.attributes
      from jsonb_to_recordset(${JSON.stringify(contactRows)}::jsonb) as x(id text, attributes jsonb)
      on conflict (workspace_id, id) do update set
        attributes = contacts.attributes || excluded.attributes, updated_at = now()
      returning 1
    ), inserted as (
      insert into events (workspace_id, contact_id, name, at, properties)
      select w, c, n, a, p from jsonb_to_recordset(${eventsJson(rows)}::jsonb)
        as x(w text, c text, n text, a timestamptz, p jsonb)
      returning id
    )
    select id from inserted order by id`);
  return rowsOf<{ id: string | number }>(result).map((r) => Number(r.id));
}

/** What a list of events may change for segments, RFM and date triggers (refreshed in the same transaction). */
function changeOf(list: readonly EventInput[]) {
  return {
    eventNames: new Set(list.map((e) => e.event)),
    attributesChanged: list.some((e) => e.attributes !== undefined),
  };
}

/**
 * Contacts (by id or email) upserted with their attribute changes, the events inserted and the
 * contacts' audience refreshed, inside `tx`.
 */
async function writeEvents(tx: Tx, services: Services, workspaceId: string, list: readonly EventInput[]) {
  const contactIds = await upsertContacts(
    tx,
    workspaceId,
    list.map((e) => ({ id: e.contactId, email: e.email, attributes: e.attributes })),
  );
  const ids = await insertEvents(tx, eventRows(workspaceId, list, contactIds), { notify: false });
  await refreshAudience(tx, services, workspaceId, contactIds, changeOf(list));
  return ids;
}

/**
 * After the events are committed: this process's scheduler at once; the others through a coalesced
 * NOTIFY (see notifySchedulers), which matters when this process runs no workers.
 */
function wakeSchedulers(services: Services): void {
  services.wake.scheduler();
  notifySchedulers(services.db, services.wake.origin);
}

/** `POST /v1/events`: ingest one event or a batch, idempotently with an `Idempotency-Key` header. */
export function eventRoutes(services: Services) {
  const router = newRouter();
  // Requests without an Idempotency-Key are written in groups (see group-commit.ts): at hundreds of
  // single-event requests per second, one statement and one commit per group instead of per request.
  const knownContacts = groupCommit(async (workspaceId, list: EventInput[]) => {
    const change = changeOf(list);
    if (!audienceAffected(await featuresOf(services, workspaceId, services.db), change))
      return recordEventsOfKnownContacts(services.db, workspaceId, list);
    return services.db.transaction(async (tx) => {
      const ids = await recordEventsOfKnownContacts(tx, workspaceId, list);
      const contactIds = list.map((e) => e.contactId as string);
      await refreshAudience(tx, services, workspaceId, contactIds, change);
      return ids;
    });
  });
  const anyContacts = groupCommit((workspaceId, list: EventInput[]) =>
    services.db.transaction((tx) => writeEvents(tx, services, workspaceId, list)),
  );
  router.openapi(
    createRoute({
      method: 'post',
      path: '/events',
      security: bearerSecurity,
      request: {
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
        ...jsonBody(bodySchema),
      },
      responses: {
        202: jsonResponse(responseSchema, 'Accepted for processing'),
        409: errorResponses[400],
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      if (p.kind !== 'apiKey') throw new ApiError('forbidden', 'events are sent with an API key, not an editor token');
      const body = c.req.valid('json');
      const idempotencyKey = c.req.valid('header')['idempotency-key'];
      const list = 'events' in body ? body.events : [body];
      const requestHash = idempotencyKey === undefined ? '' : hashJson(body);
      if (idempotencyKey === undefined) {
        const known = list.every((e) => e.contactId !== undefined && e.email === undefined);
        const ids = await (known ? knownContacts : anyContacts).submit(p.workspaceId, list);
        wakeSchedulers(services);
        return c.json({ accepted: ids.length, ids, replayed: false }, 202);
      }
      const result = await services.db.transaction(async (tx) => {
        if (idempotencyKey !== undefined) {
          const claimed = await tx
            .insert(idempotencyKeys)
            .values({ workspaceId: p.workspaceId, key: idempotencyKey, requestHash, status: 202, response: {} })
            .onConflictDoNothing()
            .returning({ key: idempotencyKeys.key });
          if (claimed.length === 0) {
            const [prior] = await tx
              .select()
              .from(idempotencyKeys)
              .where(and(eq(idempotencyKeys.workspaceId, p.workspaceId), eq(idempotencyKeys.key, idempotencyKey)));
            if (prior && prior.requestHash !== requestHash)
              throw new ApiError('conflict', 'Idempotency-Key was already used for a different request body');
            return { ...(prior?.response as { accepted: number; ids: number[] }), replayed: true };
          }
        }
        const ids = await writeEvents(tx, services, p.workspaceId, list);
        const response = { accepted: ids.length, ids };
        if (idempotencyKey !== undefined)
          await tx
            .update(idempotencyKeys)
            .set({ response })
            .where(and(eq(idempotencyKeys.workspaceId, p.workspaceId), eq(idempotencyKeys.key, idempotencyKey)));
        return { ...response, replayed: false };
      });
      wakeSchedulers(services);
      return c.json(result, 202);
    },
  );
  return router;
}
