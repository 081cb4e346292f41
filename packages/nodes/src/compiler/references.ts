import type { Problem } from '../errors.ts';

/** The stored things a step's config can name by id: an email template or a segment. */
export type ReferenceKind = 'template' | 'segment';

/** A step's config naming a stored template or segment, at a config path. */
export interface ResourceReference {
  nodeId: string;
  kind: ReferenceKind;
  id: string;
  path: (string | number)[];
}

/** What {@link resourceReferences} reads of a step. */
export interface ReferencingNode {
  id: string;
  type: string;
  typeVersion?: number | undefined;
  config?: Record<string, unknown> | undefined;
}

type Schema = Record<string, unknown>;

const kinds: readonly ReferenceKind[] = ['template', 'segment'];

function resolve(schema: Schema, root: Schema): Schema {
  let current = schema;
  for (let i = 0; i < 32 && typeof current.$ref === 'string'; i++) {
    const { $ref, ...rest } = current;
    const match = /^#\/(\$defs|definitions)\/(.+)$/.exec($ref as string);
    const defs = match ? (root[match[1] as string] as Record<string, Schema> | undefined) : undefined;
    const target = match ? defs?.[decodeURIComponent(match[2] as string)] : undefined;
    if (!target) return rest;
    current = { ...target, ...rest };
  }
  return current;
}

function walk(
  schema: Schema,
  root: Schema,
  value: unknown,
  path: (string | number)[],
  found: Omit<ResourceReference, 'nodeId'>[],
) {
  if (path.length > 16 || value === undefined || value === null) return;
  const s = resolve(schema, root);
  const widget = s['x-waymark-widget'];
  if (kinds.includes(widget as ReferenceKind)) {
    if (typeof value === 'string' && value !== '') found.push({ kind: widget as ReferenceKind, id: value, path });
    return;
  }
  const properties = s.properties as Record<string, Schema> | undefined;
  if (properties && typeof value === 'object' && !Array.isArray(value))
    for (const [key, prop] of Object.entries(properties))
      walk(prop, root, (value as Record<string, unknown>)[key], [...path, key], found);
  const items = s.items as Schema | undefined;
  if (items && Array.isArray(value))
    for (const [i, item] of value.entries()) walk(items, root, item, [...path, i], found);
}

/**
 * The templates and segments the steps' configs name, found through the fields their node type's
 * JSON Schema marks with `x-waymark-widget: template` or `segment` (so package node types are covered).
 * `configSchemaOf` gives a node type version's config JSON Schema (as `NodeTypeDescription.configSchema`).
 */
export function resourceReferences(
  nodes: readonly ReferencingNode[],
  configSchemaOf: (type: string, version: number) => Record<string, unknown> | undefined,
): ResourceReference[] {
  const out: ResourceReference[] = [];
  for (const node of nodes) {
    const root = configSchemaOf(node.type, node.typeVersion ?? 1);
    if (!root) continue;
    const found: Omit<ResourceReference, 'nodeId'>[] = [];
    walk(root, root, node.config ?? {}, [], found);
    for (const f of found) out.push({ nodeId: node.id, ...f });
  }
  return out;
}

/**
 * A problem (`unknown_template`, `unknown_segment`) for each reference whose id is not among the
 * existing ones of its kind; a kind whose ids are not known (`undefined`) is not checked.
 */
export function missingReferenceProblems(
  references: readonly ResourceReference[],
  existing: Partial<Record<ReferenceKind, ReadonlySet<string>>>,
): Problem[] {
  const problems: Problem[] = [];
  for (const r of references) {
    const ids = existing[r.kind];
    if (!ids || ids.has(r.id)) continue;
    problems.push({
      code: r.kind === 'template' ? 'unknown_template' : 'unknown_segment',
      message: `${r.kind} "${r.id}" does not exist`,
      nodeId: r.nodeId,
      path: r.path,
    });
  }
  return problems;
}
