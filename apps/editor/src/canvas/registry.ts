import {
  type AnyNodeType,
  defaultRegistry,
  defineNode,
  type NodeRegistry,
  type NodeTypeDescription,
  portsOf,
} from '@waymark/nodes';
import { z } from 'zod';
import { authorMessageFor, type JsonSchema } from '../panels/schema-form/json-schema.ts';

/** Looks node type descriptions up by type and version. */
export interface NodeTypeCatalog {
  list: readonly NodeTypeDescription[];
  get(type: string, version?: number): NodeTypeDescription | undefined;
}

/** Indexes the descriptions `GET /v1/node-types` returned. */
export function catalogOf(list: readonly NodeTypeDescription[]): NodeTypeCatalog {
  const byKey = new Map(list.map((d) => [`${d.type}@${d.version}`, d]));
  const latest = new Map<string, NodeTypeDescription>();
  for (const d of list) if ((latest.get(d.type)?.version ?? 0) < d.version) latest.set(d.type, d);
  return {
    list,
    get: (type, version) => (version === undefined ? latest.get(type) : byKey.get(`${type}@${version}`)),
  };
}

/** The config schema rebuilt from JSON Schema, reporting problems in the words of the package's author. */
function configSchemaOf(d: NodeTypeDescription): z.ZodType {
  let schema: z.ZodType;
  try {
    schema = z.fromJSONSchema(d.configSchema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch {
    return z.record(z.string(), z.unknown());
  }
  const root = d.configSchema as JsonSchema;
  return z.unknown().transform((value, ctx) => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues)
      ctx.addIssue({ ...issue, message: authorMessageFor(root, issue) ?? issue.message } as Parameters<
        typeof ctx.addIssue
      >[0]);
    return z.NEVER;
  });
}

/**
 * A node type the editor knows only by its description (a custom package's node): its config is
 * checked against the JSON Schema, and in simulation it leaves through its first port, since its
 * code runs only in the runtime.
 */
function describedNodeType(d: NodeTypeDescription): AnyNodeType {
  return defineNode({
    type: d.type,
    version: d.version,
    category: d.category,
    title: d.title,
    description: d.description,
    icon: d.icon,
    waits: d.waits,
    ports: d.ports,
    config: configSchemaOf(d),
    execute: (_ctx, config) => {
      const first = portsOf(d.ports, config)[0];
      return first ? { go: first.id } : { exit: 'completed' };
    },
  });
}

/**
 * The registry the editor validates and simulates with: the built-in node types (the very code the
 * runtime runs), plus stand-ins for node types the runtime serves that this build does not contain.
 */
export function registryFor(descriptions: readonly NodeTypeDescription[]): NodeRegistry {
  const registry = defaultRegistry();
  const bySource = new Map<string, NodeTypeDescription[]>();
  for (const d of descriptions) {
    if (registry.get(d.type, d.version)) continue;
    bySource.set(d.source, [...(bySource.get(d.source) ?? []), d]);
  }
  for (const [source, list] of bySource) {
    for (const d of list) {
      try {
        registry.register([describedNodeType(d)], source);
      } catch {
        // A description that clashes with a known type is left out; its nodes report unknown_node_version.
      }
    }
  }
  return registry;
}
