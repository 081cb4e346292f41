import type { Problem } from '@waymark/nodes';
import type { NodeTypeCatalog } from '../canvas/registry.ts';
import { format, type Strings } from '../strings.ts';
import { hasWidget, type JsonSchema, resolveSchema, titleOf } from './schema-form/json-schema.ts';
import { journeySettingsSchema } from './settings-schema.ts';

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

/** The strings {@link problemText} words its messages with. */
export type ProblemStrings = Pick<
  Strings,
  | 'isRequired'
  | 'conditionRule'
  | 'conditionAllOf'
  | 'conditionAnyOf'
  | 'conditionNot'
  | 'conditionWhere'
  | 'chooseAttribute'
  | 'chooseProperty'
  | 'chooseEvent'
  | 'attribute'
  | 'property'
  | 'operator'
  | 'value'
  | 'eventName'
  | 'countOp'
  | 'within'
  | 'settings'
>;

/** Where a config path enters a condition field: the index of that field in the path and its schema. */
function conditionField(root: JsonSchema, path: readonly (string | number)[]) {
  let schema = resolveSchema(root, root);
  for (let i = 0; i < path.length; i++) {
    const step = path[i] as string | number;
    const next = typeof step === 'number' ? schema.items : schema.properties?.[step];
    if (!next) return undefined;
    if (hasWidget(next, root, 'condition')) return { at: i, schema: resolveSchema(next, root) };
    schema = resolveSchema(next, root);
  }
  return undefined;
}

const emptyName = /must not be empty|received undefined|>=1 character/i;

/**
 * A problem inside a condition in the builder's words: `all.2.any.0.attribute` + "must not be empty"
 * → `rule 3 → any of, rule 1` and "choose an attribute" (the root group's rules are numbered plainly,
 * nested groups say whether they match all or any).
 */
function conditionPathText(
  inner: readonly (string | number)[],
  message: string,
  eventScope: boolean,
  s: ProblemStrings,
): { where: string[]; text: string } {
  const where: string[] = [];
  let nested = false;
  let event = eventScope;
  let i = 0;
  while (i < inner.length) {
    const key = inner[i];
    const n = inner[i + 1];
    if ((key === 'all' || key === 'any') && typeof n === 'number') {
      const rule = format(s.conditionRule, { n: n + 1 });
      where.push(nested ? `${key === 'all' ? s.conditionAllOf : s.conditionAnyOf}, ${rule}` : rule);
      nested = true;
      i += 2;
    } else if (key === 'not') {
      where.push(s.conditionNot);
      nested = true;
      i += 1;
    } else if (key === 'where') {
      // An event rule's filter is a condition of its own, on the event's properties.
      where.push(s.conditionWhere);
      nested = false;
      event = true;
      i += 1;
    } else break;
  }
  const leaf = inner.slice(i).map(String);
  const field = leaf[0];
  let text = message;
  if (field === 'attribute' && emptyName.test(message)) text = event ? s.chooseProperty : s.chooseAttribute;
  else if (field === 'event' && emptyName.test(message)) text = s.chooseEvent;
  else if (field !== undefined) {
    const words: Record<string, string> = {
      attribute: event ? s.property : s.attribute,
      op: s.operator,
      value: s.value,
      event: s.eventName,
      count: s.countOp,
      within: s.within,
    };
    const word = words[field] ?? leaf.join('.');
    text = /received undefined$/.test(message) ? `${word} ${s.isRequired}` : `${word}: ${message}`;
  }
  return { where, text };
}

/**
 * A problem's message in the words of the form: config paths become field titles, paths into a
 * condition become its rules ("Condition, rule 3 → any of, rule 1: choose an attribute"), and zod's
 * "expected string, received undefined" becomes "is required". Problems in the journey settings
 * (`settings.exitOn.0.event`) are worded by the settings form's titles, under "Journey settings".
 * Other messages are the compiler's own.
 */
export function problemText(
  problem: Problem,
  catalog: NodeTypeCatalog,
  nodeType: string | undefined,
  s: ProblemStrings,
) {
  const { path, message } = problem;
  if (!path || path.length === 0) return problem.message;
  if (
    problem.code === 'invalid_definition' &&
    problem.nodeId === undefined &&
    path[0] === 'settings' &&
    path.length > 1
  ) {
    const prefix = `${path.join('.')}: `;
    if (!message.startsWith(prefix)) return message;
    return fieldsText(journeySettingsSchema(), s.settings, path.slice(1), message.slice(prefix.length), s) ?? message;
  }
  if (problem.code !== 'invalid_config' || !nodeType) return message;
  const description = catalog.get(nodeType);
  if (!description) return message;
  const prefix = `${description.title}: ${path.join('.')}: `;
  if (!message.startsWith(prefix)) return message;
  const root = description.configSchema as JsonSchema;
  return fieldsText(root, description.title, path, message.slice(prefix.length), s) ?? message;
}

/** `rest` (the validator's message) at `path` of the form `root`, titled `title`; undefined when the path is not in the form. */
function fieldsText(
  root: JsonSchema,
  title: string,
  path: readonly (string | number)[],
  rest: string,
  s: ProblemStrings,
): string | undefined {
  const condition = conditionField(root, path);
  if (condition) {
    const own = path.slice(0, condition.at + 1);
    const eventScope = condition.schema['x-waymark-scope'] === 'event';
    const { where, text } = conditionPathText(path.slice(condition.at + 1), rest, eventScope, s);
    // A step that is nothing but its condition (flow.condition) names it by the step's title.
    const only = own.length === 1 && Object.keys(resolveSchema(root, root).properties ?? {}).length === 1;
    const name = only ? title : (fieldTitles(root, own) ?? own.join('.'));
    const located = [name, ...(where.length > 0 ? [where.join(' → ')] : [])].join(', ');
    return only ? `${located}: ${text}` : `${title}: ${located}: ${text}`;
  }
  const fields = fieldTitles(root, path);
  if (!fields) return undefined;
  const text = /received undefined$/.test(rest) ? s.isRequired : rest;
  return `${title}: ${fields} ${text === s.isRequired ? text : `— ${text}`}`;
}
