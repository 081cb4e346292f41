import {
  type JourneyDefinition,
  missingReferenceProblems,
  type NodeRegistry,
  type Problem,
  type ResourceReference,
  resourceReferences,
} from '@waymark/nodes';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { segments, templates } from '../db/schema.ts';

/**
 * A problem (`unknown_template`, `unknown_segment`) for each step whose config names an email
 * template or a segment the workspace does not have. Fields are found by the node types'
 * `x-waymark-widget` (`template`, `segment`), as the editor does, so package node types are checked too.
 */
export async function missingReferences(
  db: Db,
  workspaceId: string,
  definition: JourneyDefinition,
  registry: NodeRegistry,
): Promise<Problem[]> {
  const schemas = new Map(registry.describe().map((d) => [`${d.type}@${d.version}`, d.configSchema]));
  const references = resourceReferences(definition.nodes, (type, version) => schemas.get(`${type}@${version}`));
  if (references.length === 0) return [];
  const [template, segment] = await Promise.all([
    existingIds(db, templates, workspaceId, idsOf(references, 'template')),
    existingIds(db, segments, workspaceId, idsOf(references, 'segment')),
  ]);
  return missingReferenceProblems(references, { template, segment });
}

function idsOf(references: readonly ResourceReference[], kind: ResourceReference['kind']): string[] {
  return [...new Set(references.filter((r) => r.kind === kind).map((r) => r.id))];
}

async function existingIds(
  db: Db,
  table: typeof templates | typeof segments,
  workspaceId: string,
  ids: string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.workspaceId, workspaceId), inArray(table.id, ids)));
  return new Set(rows.map((r) => r.id));
}
