import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type AnyNodeType, defaultRegistry, type NodeRegistry } from '@waymark/nodes';

function isNodeType(value: unknown): value is AnyNodeType {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { type?: unknown }).type === 'string' &&
    typeof (value as { execute?: unknown }).execute === 'function'
  );
}

/** The node types a package exports: `nodeTypes` (an array), a default array, or node types as named exports. */
function nodeTypesOf(mod: Record<string, unknown>): AnyNodeType[] {
  const list = mod.nodeTypes ?? mod.default;
  if (Array.isArray(list)) return list as AnyNodeType[];
  return Object.values(mod).filter(isNodeType);
}

/**
 * Builds the registry: built-in node types plus those of each configured package (module names or
 * paths). Any broken package stops the start with an error naming it; nothing is half-loaded.
 */
export async function loadRegistry(packages: readonly string[], cwd = process.cwd()): Promise<NodeRegistry> {
  const registry = defaultRegistry();
  for (const name of packages) {
    const specifier = name.startsWith('.') || isAbsolute(name) ? pathToFileURL(resolve(cwd, name)).href : name;
    let mod: Record<string, unknown>;
    try {
      mod = (await import(specifier)) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`node package ${name}: cannot be loaded: ${(e as Error).message}`);
    }
    const types = nodeTypesOf(mod);
    if (types.length === 0)
      throw new Error(`node package ${name}: exports no node types (export nodeTypes = [defineNode(…), …])`);
    registry.register(types, name);
  }
  return registry;
}
