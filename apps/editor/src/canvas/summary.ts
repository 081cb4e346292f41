import type { Condition, NodeTypeDescription } from '@waymark/nodes';
import { summarizeCondition } from '../panels/schema-form/condition-model.ts';
import { describeDuration } from '../panels/schema-form/duration.ts';
import { hasWidget, type JsonSchema, resolveSchema, titleOf, typeOf } from '../panels/schema-form/json-schema.ts';

function describeValue(value: unknown, schema: JsonSchema, root: JsonSchema, title: string): string {
  if (value === undefined || value === null || value === '') return '';
  if (hasWidget(schema, root, 'condition')) return summarizeCondition(value as Condition);
  const s = resolveSchema(schema, root);
  if (s.format === 'duration' && typeof value === 'string') return describeDuration(value);
  const type = typeOf(s);
  if (type === 'boolean') return value === true ? title : '';
  if (Array.isArray(value)) {
    if (value.length === 0) return '';
    if (value.every((v) => typeof v !== 'object')) return value.join(', ');
    return `${value.length} ${title.toLowerCase()}`;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length === 0 ? '' : `${title}: ${keys.join(', ')}`;
  }
  return String(value);
}

/**
 * One line describing a step's config for its canvas card, read from the node type's JSON Schema so
 * custom node types get one too: `cart_abandoned`, `1 hour`, `plan = pro`, `2 branches`.
 */
export function summarizeConfig(description: NodeTypeDescription | undefined, config: unknown): string {
  if (!description || !config || typeof config !== 'object') return '';
  const root = description.configSchema as JsonSchema;
  const props = resolveSchema(root, root).properties ?? {};
  const parts: string[] = [];
  for (const [key, schema] of Object.entries(props)) {
    const text = describeValue(
      (config as Record<string, unknown>)[key],
      schema,
      root,
      titleOf(resolveSchema(schema, root), key),
    );
    if (text !== '') parts.push(text);
    if (parts.length === 3) break;
  }
  return parts.join(' · ');
}
