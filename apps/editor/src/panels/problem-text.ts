import type { Problem } from '@waymark/nodes';
import type { NodeTypeCatalog } from '../canvas/registry.ts';
import { type JsonSchema, resolveSchema, titleOf } from './schema-form/json-schema.ts';

/** The titles of the fields along a config path, e.g. `['branches', 0, 'weight']` → `Branches 1 › Weight`. */
export function fieldTitles(root: JsonSchema, path: readonly (string | number)[]): string | undefined {
  let schema = resolveSchema(root, root);
  const parts: string[] = [];
  for (const step of path) {
    if (typeof step === 'number') {
      if (!schema.items) return undefined;
      parts[parts.length - 1] = `${parts[parts.length - 1] ?? ''} ${step + 1}`.trim();
      schema = resolveSchema(schema.items, root);
      continue;
    }
    const prop = schema.properties?.[step];
    if (!prop) return undefined;
    schema = resolveSchema(prop, root);
    parts.push(titleOf(schema, step));
  }
  return parts.length > 0 ? parts.join(' › ') : undefined;
}

/**
 * A problem's message in the words of the form: config paths become field titles and zod's "expected
 * string, received undefined" becomes "is required". Other messages are the compiler's own.
 */
export function problemText(
  problem: Problem,
  catalog: NodeTypeCatalog,
  nodeType: string | undefined,
  isRequired: string,
) {
  if (problem.code !== 'invalid_config' || !problem.path || problem.path.length === 0 || !nodeType)
    return problem.message;
  const description = catalog.get(nodeType);
  if (!description) return problem.message;
  const fields = fieldTitles(description.configSchema as JsonSchema, problem.path);
  const prefix = `${description.title}: ${problem.path.join('.')}: `;
  if (!fields || !problem.message.startsWith(prefix)) return problem.message;
  const rest = problem.message.slice(prefix.length);
  const text = /received undefined$/.test(rest) ? isRequired : rest;
  return `${description.title}: ${fields} ${text === isRequired ? text : `— ${text}`}`;
}
