import { type NodeRegistry, type PreparedJourney, validateJourney } from '@waymark/nodes';
import { and, eq, isNotNull } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.ts';
import { journeys, journeyVersions } from '../db/schema.ts';

/** A journey that is running: its live version, prepared for the interpreter, and what enrols into it. */
export interface ActiveJourney {
  workspaceId: string;
  journeyId: string;
  versionId: string;
  journey: PreparedJourney;
  /** Event names that may enrol a contact; `any` when a custom trigger must be asked. */
  enrolEvents: Set<string> | 'any';
  /** Whether conditions in it count events, so the contact's history must be loaded. */
  needsHistory: boolean;
}

/** Channel notified when journeys are published, paused, resumed or archived. */
export const journeysChannel = 'waymark_journeys';

function usesEventConditions(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(usesEventConditions);
  const o = value as Record<string, unknown>;
  if (typeof o.event === 'string' && ('count' in o || 'within' in o)) return true;
  return Object.values(o).some(usesEventConditions);
}

function enrolEventsOf(journey: PreparedJourney): Set<string> | 'any' {
  const names = new Set<string>();
  for (const t of journey.triggers) {
    const config = t.config as Record<string, unknown>;
    if (t.node.type === 'trigger.event') names.add(String(config.event));
    else if (t.node.type === 'trigger.segment') names.add('segment.entered');
    else if (t.node.type === 'trigger.manual') names.add('journey.enrol');
    else if (t.node.type === 'trigger.date') names.add('journey.date');
    else return 'any';
  }
  return names;
}

/** Prepared journey versions (immutable, cached forever) and each workspace's active journeys (refreshed). */
export class JourneyCache {
  readonly #versions = new Map<string, PreparedJourney>();
  readonly #active = new Map<string, { at: number; list: ActiveJourney[] }>();

  constructor(
    private readonly registry: NodeRegistry,
    private readonly ttlMs = 2_000,
  ) {}

  /** A published version, validated and prepared once. Pass the transaction when inside one (PGlite has one connection). */
  async version(versionId: string, q: Db | Tx): Promise<PreparedJourney | undefined> {
    const hit = this.#versions.get(versionId);
    if (hit) return hit;
    const [row] = await q.select().from(journeyVersions).where(eq(journeyVersions.id, versionId));
    if (!row) return undefined;
    return this.#prepare(versionId, row.definition);
  }

  #prepare(versionId: string, definition: unknown): PreparedJourney | undefined {
    const result = validateJourney(definition, this.registry);
    if (!result.ok) return undefined;
    this.#versions.set(versionId, result.journey);
    return result.journey;
  }

  /** The active journeys of a workspace (status `active` with a live version). */
  async active(workspaceId: string, q: Db | Tx): Promise<ActiveJourney[]> {
    const hit = this.#active.get(workspaceId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.list;
    const rows = await q
      .select({ journeyId: journeys.id, versionId: journeys.liveVersionId, definition: journeyVersions.definition })
      .from(journeys)
      .innerJoin(journeyVersions, eq(journeyVersions.id, journeys.liveVersionId))
      .where(
        and(eq(journeys.workspaceId, workspaceId), eq(journeys.status, 'active'), isNotNull(journeys.liveVersionId)),
      );
    const list: ActiveJourney[] = [];
    for (const row of rows) {
      const versionId = row.versionId as string;
      const journey = this.#versions.get(versionId) ?? this.#prepare(versionId, row.definition);
      if (!journey) continue;
      list.push({
        workspaceId,
        journeyId: row.journeyId,
        versionId,
        journey,
        enrolEvents: enrolEventsOf(journey),
        needsHistory: usesEventConditions(journey.definition.nodes) || usesEventConditions(journey.definition.settings),
      });
    }
    this.#active.set(workspaceId, { at: Date.now(), list });
    return list;
  }

  /** Forgets active lists (after a publish, pause or resume anywhere). */
  invalidate(): void {
    this.#active.clear();
  }
}
