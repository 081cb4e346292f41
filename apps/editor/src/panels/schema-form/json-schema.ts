/** A JSON Schema object as `z.toJSONSchema` writes it; only the keywords the form reads are typed. */
export interface JsonSchema {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  examples?: unknown[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  'x-waymark-widget'?: string;
  'x-waymark-negative'?: boolean;
  [keyword: string]: unknown;
}

/** Follows `$ref`s into the root's `$defs`, keeping the annotations written beside each `$ref`. */
export function resolveSchema(schema: JsonSchema | undefined, root: JsonSchema): JsonSchema {
  let current: JsonSchema = schema ?? {};
  for (let i = 0; i < 32 && typeof current.$ref === 'string'; i++) {
    const { $ref, ...rest } = current;
    const match = /^#\/(\$defs|definitions)\/(.+)$/.exec($ref);
    const target = match
      ? root[match[1] as '$defs' | 'definitions']?.[decodeURIComponent(match[2] as string)]
      : undefined;
    if (!target) return rest;
    // Annotations next to the reference (title, widget) win over the referenced schema's.
    current = { ...target, ...rest };
  }
  return current;
}

/** The schema's main type, ignoring `null` in a type list. */
export function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null');
  if (schema.type !== undefined) return schema.type;
  if (schema.enum) return typeof schema.enum[0] === 'number' ? 'number' : 'string';
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
}

/** A readable title for a property: its schema title, else its key split into words. */
export function titleOf(schema: JsonSchema, key: string): string {
  if (typeof schema.title === 'string' && schema.title !== '') return schema.title;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** Where new array items of a node's port list get unique ids. */
export interface PortKeys {
  /** The config key holding the port list (a node type's `ports.fromConfig`). */
  array: string;
  /** The key of each item holding its port id. */
  idKey: string;
}

/** A port id not yet used in `items`: a, b, c, … then p27, p28, …. */
export function nextPortId(items: readonly unknown[], idKey: string): string {
  const used = new Set(
    items.map((i) => (i && typeof i === 'object' ? (i as Record<string, unknown>)[idKey] : undefined)),
  );
  for (let i = 0; i < 26; i++) {
    const id = String.fromCharCode(97 + i);
    if (!used.has(id)) return id;
  }
  let n = 27;
  while (used.has(`p${n}`)) n++;
  return `p${n}`;
}

/**
 * The value a new field starts with: its `default`; for durations and times of day the first
 * example; for objects their required properties; for arrays their minimum number of items.
 * Other required values stay unset so that validation asks the user for them.
 */
export function initialValue(schema: JsonSchema, root: JsonSchema, ports?: PortKeys, key?: string): unknown {
  const s = resolveSchema(schema, root);
  if ('default' in s) return clone(s.default);
  const type = typeOf(s);
  if (type === 'string' && (s.format === 'duration' || s.format === 'time-of-day') && s.examples?.length)
    return s.examples[0];
  if (type === 'number' || type === 'integer') return undefined;
  if (type === 'object' && s.properties) {
    const out: Record<string, unknown> = {};
    for (const name of s.required ?? []) {
      const v = initialValue(s.properties[name] ?? {}, root, ports, name);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }
  if (type === 'array' && (s.minItems ?? 0) > 0) {
    const items: unknown[] = [];
    for (let i = 0; i < (s.minItems ?? 0); i++)
      items.push(newArrayItem(s.items ?? {}, root, items, ports && ports.array === key ? ports.idKey : undefined));
    return items;
  }
  return undefined;
}

/** A new item for an array field; `idKey` names the property that must be unique (port ids). */
export function newArrayItem(itemSchema: JsonSchema, root: JsonSchema, existing: readonly unknown[], idKey?: string) {
  const s = resolveSchema(itemSchema, root);
  const value = initialValue(s, root);
  if (typeOf(s) !== 'object' || !s.properties) return value ?? (typeOf(s) === 'string' ? '' : undefined);
  const item = (value ?? {}) as Record<string, unknown>;
  for (const name of s.required ?? []) {
    if (item[name] !== undefined) continue;
    const prop = resolveSchema(s.properties[name], root);
    const t = typeOf(prop);
    if (name === idKey) item[name] = nextPortId(existing, name);
    else if (t === 'number' || t === 'integer')
      item[name] = prop.minimum !== undefined && prop.minimum > 1 ? prop.minimum : 1;
  }
  return item;
}

/** True when the schema is annotated (directly or through its `$ref`) with the given editor widget. */
export function hasWidget(schema: JsonSchema, root: JsonSchema, widget: string): boolean {
  return schema['x-waymark-widget'] === widget || resolveSchema(schema, root)['x-waymark-widget'] === widget;
}

/** The schema of the value at `path` inside a value of `root` (through properties, items and `$ref`s). */
function schemaAt(root: JsonSchema, path: readonly PropertyKey[]): JsonSchema | undefined {
  let schema = resolveSchema(root, root);
  for (const step of path) {
    const next = typeof step === 'number' ? schema.items : schema.properties?.[String(step)];
    if (!next) return undefined;
    schema = resolveSchema(next, root);
  }
  return schema;
}

/** What the editor reads of a zod issue to find the JSON Schema keyword it is about. */
export interface SchemaIssue {
  code: string;
  path: readonly PropertyKey[];
  format?: string;
  origin?: string;
  inclusive?: boolean;
}

function keywordsOf(issue: SchemaIssue): string[] {
  const list = issue.origin === 'array' || issue.origin === 'set';
  const numeric = issue.origin === 'number' || issue.origin === 'bigint';
  switch (issue.code) {
    case 'invalid_format':
      return issue.format === 'regex' ? ['pattern'] : ['format', 'pattern'];
    case 'too_small':
      return [list ? 'minItems' : numeric ? (issue.inclusive ? 'minimum' : 'exclusiveMinimum') : 'minLength'];
    case 'too_big':
      return [list ? 'maxItems' : numeric ? (issue.inclusive ? 'maximum' : 'exclusiveMaximum') : 'maxLength'];
    case 'not_multiple_of':
      return ['multipleOf'];
    case 'invalid_type':
      return ['type'];
    default:
      return [];
  }
}

/**
 * The message a node type's author wrote for this issue, which the runtime carries in the JSON
 * Schema as `errorMessage: { <keyword>: message }` (e.g. "must be a Slack channel such as #sales").
 */
export function authorMessageFor(root: JsonSchema, issue: SchemaIssue): string | undefined {
  const messages = schemaAt(root, issue.path)?.errorMessage;
  if (typeof messages === 'string') return messages;
  if (!messages || typeof messages !== 'object') return undefined;
  for (const keyword of keywordsOf(issue)) {
    const message = (messages as Record<string, unknown>)[keyword];
    if (typeof message === 'string') return message;
  }
  return undefined;
}
