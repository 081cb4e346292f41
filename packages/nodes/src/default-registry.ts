import { builtinNodeTypes } from './nodes/index.ts';
import { NodeRegistry } from './sdk/registry.ts';

/** A new registry holding the built-in node types; add package node types with `register`. */
export function defaultRegistry(): NodeRegistry {
  return new NodeRegistry().register(builtinNodeTypes, 'builtin');
}
