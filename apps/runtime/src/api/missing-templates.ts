import {
  type JourneyDefinition,
  missingReferenceProblems,
  type NodeRegistry,
  type Problem,
  resourceReferences,
} from '@waymark/nodes';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { templates } from '../db/schema.ts';

/**
 * A problem (`unknown_template`) for each step whose config names an email template the workspace
 * does not have. Fields are found by the node types' `x-waymark-widget: template`, as the editor does.
 */
export async function missingTemplateProblems(
  db: Db,
  workspaceId: string,
  definition: JourneyDefinition,
  registry: NodeRegistry,
): Promise<Problem[]> {
  const schemas = new Map(registry.describe().map((d) => [`${d.type}@${d.version}`, d.configSchema]));
  const references = resourceReferences(definition.nodes, (type, version) => schemas.get(`${type}@${version}`)).filter(
    (r) => r.kind === 'template',
  );
  if (references.length === 0) return [];
  const rows = await db
    .select({ id: templates.id })
    .from(templates)
    .where(
      and(eq(templates.workspaceId, workspaceId), inArray(templates.id, [...new Set(references.map((r) => r.id))])),
    );
  return missingReferenceProblems(references, { template: new Set(rows.map((r) => r.id)) });
}
