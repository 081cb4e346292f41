import {
  type Condition,
  type JourneySettings,
  type PreparedJourney,
  type PreparedNode,
  validateJourney,
} from '@waymark/nodes';
import { and, eq, isNotNull } from 'drizzle-orm';
import { rfmSettings } from '../db/audience-schema.ts';
import { type Db, notify, type Tx } from '../db/client.ts';
import { journeys, journeyVersions, segments } from '../db/schema.ts';
import type { Services } from '../services.ts';
import { type RfmSettings, rfmSettingsSchema } from './rfm.ts';

/** Channel notified when segments or RFM settings change, so every process reloads them. */
export const audienceChannel = 'waymark_audience';

/** A saved segment, parsed. */
export interface LiveSegment {
  id: string;
  condition: Condition;
}

/** A trigger of an active journey that enrols on a date (`nextEnrolment`), e.g. `trigger.date`. */
export interface DateTrigger {
  journeyId: string;
  trigger: PreparedNode;
  settings: JourneySettings;
}

/** What of the live audience a workspace uses: when all is empty, contact and event writes skip it entirely. */
export interface AudienceFeatures {
  segments: LiveSegment[];
  /** Event names segment conditions count (an event of another name cannot change membership). */
  segmentEvents: Set<string>;
  rfm: RfmSettings | null;
  dates: DateTrigger[];
  empty: boolean;
}

function eventNamesOf(c: Condition, out: Set<string>): void {
  if ('all' in c) for (const x of c.all) eventNamesOf(x, out);
  else if ('any' in c) for (const x of c.any) eventNamesOf(x, out);
  else if ('not' in c) eventNamesOf(c.not, out);
  else if ('event' in c) out.add(c.event);
}

const caches = new WeakMap<Db, Map<string, { at: number; features: AudienceFeatures }>>();
const ttlMs = 2_000;

function cacheOf(db: Db) {
  let c = caches.get(db);
  if (!c) {
    c = new Map();
    caches.set(db, c);
  }
  return c;
}

/** Forgets this process's cached features (after a change here, or a NOTIFY from another process). */
export function invalidateFeatures(services: Pick<Services, 'db'>): void {
  cacheOf(services.db).clear();
}

/**
 * The workspace's segments, RFM settings and date triggers of active journeys, cached for a moment
 * (and dropped on change through {@link audienceChannel} and the journeys channel). `fresh` skips the cache.
 */
export async function featuresOf(
  services: Pick<Services, 'db' | 'registry'>,
  workspaceId: string,
  q: Db | Tx,
  options: { fresh?: boolean } = {},
): Promise<AudienceFeatures> {
  const cache = cacheOf(services.db);
  const hit = cache.get(workspaceId);
  if (hit && !options.fresh && Date.now() - hit.at < ttlMs) return hit.features;
  const segmentRows = await q
    .select({ id: segments.id, condition: segments.condition })
    .from(segments)
    .where(eq(segments.workspaceId, workspaceId));
  const [rfmRow] = await q.select().from(rfmSettings).where(eq(rfmSettings.workspaceId, workspaceId));
  const journeyRows = await q
    .select({ journeyId: journeys.id, definition: journeyVersions.definition })
    .from(journeys)
    .innerJoin(journeyVersions, eq(journeyVersions.id, journeys.liveVersionId))
    .where(
      and(eq(journeys.workspaceId, workspaceId), eq(journeys.status, 'active'), isNotNull(journeys.liveVersionId)),
    );
  const list = segmentRows.map((r) => ({ id: r.id, condition: r.condition as Condition }));
  const segmentEvents = new Set<string>();
  for (const s of list) eventNamesOf(s.condition, segmentEvents);
  const dates: DateTrigger[] = [];
  for (const row of journeyRows) {
    // Cheap test first: most journeys have no date trigger and need no validation here.
    if (!JSON.stringify(row.definition).includes('"trigger.')) continue;
    const result = validateJourney(row.definition, services.registry);
    if (!result.ok) continue;
    for (const trigger of dateTriggersOf(result.journey))
      dates.push({ journeyId: row.journeyId, trigger, settings: result.journey.definition.settings });
  }
  const rfm = rfmRow
    ? rfmSettingsSchema.parse({
        purchaseEvent: rfmRow.purchaseEvent,
        amountProperty: rfmRow.amountProperty,
        thresholds: rfmRow.thresholds,
      })
    : null;
  const features: AudienceFeatures = {
    segments: list,
    segmentEvents,
    rfm,
    dates,
    empty: list.length === 0 && rfm === null && dates.length === 0,
  };
  cache.set(workspaceId, { at: Date.now(), features });
  return features;
}

/** The triggers of a journey that enrol on a date. */
export function dateTriggersOf(journey: PreparedJourney): PreparedNode[] {
  return journey.triggers.filter((t) => t.nodeType.nextEnrolment !== undefined);
}

/** Whether writes with these event names (and attribute changes or not) can change anything of the live audience. */
export function audienceAffected(
  f: AudienceFeatures,
  change: { eventNames?: Iterable<string>; attributesChanged?: boolean },
): boolean {
  if (f.empty) return false;
  if (change.attributesChanged && (f.segments.length > 0 || f.dates.length > 0)) return true;
  for (const name of change.eventNames ?? []) {
    if (f.segmentEvents.has(name)) return true;
    if (f.rfm && f.rfm.purchaseEvent === name) return true;
  }
  return false;
}

/** Tells every process (this one at once, the others at commit) that segments or RFM settings changed. */
export async function announceAudienceChange(tx: Db | Tx, services: Pick<Services, 'db'>): Promise<void> {
  invalidateFeatures(services);
  await notify(tx, audienceChannel);
}
