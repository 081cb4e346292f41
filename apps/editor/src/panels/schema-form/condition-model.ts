import type { ComparisonOp, Condition, ConditionValue, EventCondition } from '@waymark/nodes';
import { describeDuration } from './duration.ts';

/** An attribute rule of the conditions language. */
export type AttributeRule = { attribute: string; op: ComparisonOp; value?: ConditionValue | undefined };
/** An `all` or `any` group. */
export type Group = { all: Condition[] } | { any: Condition[] };

/** The kinds of rule a row of the condition builder edits. */
export type RuleKind = 'attribute' | 'event' | 'group' | 'custom';

export const isGroup = (c: Condition): c is Group => 'all' in c || 'any' in c;
export const isNot = (c: Condition): c is { not: Condition } => 'not' in c;
export const isEventRule = (c: Condition): c is EventCondition => 'event' in c;
export const isAttributeRule = (c: Condition): c is AttributeRule => 'attribute' in c && 'op' in c;

/** The kind of a (non-negated) rule. */
export function kindOf(c: Condition): RuleKind {
  if (isGroup(c)) return 'group';
  if (isEventRule(c)) return 'event';
  if (isAttributeRule(c)) return 'attribute';
  return 'custom';
}

/** The rules of a group and whether it matches all or any of them. */
export function groupParts(g: Group): { mode: 'all' | 'any'; rules: Condition[] } {
  return 'all' in g ? { mode: 'all', rules: g.all } : { mode: 'any', rules: g.any };
}

/** Builds a group. */
export function makeGroup(mode: 'all' | 'any', rules: Condition[]): Group {
  return mode === 'all' ? { all: rules } : { any: rules };
}

/**
 * The root of a condition as the builder shows it (always a group), and back: a group of one rule
 * matching all is written as the bare rule so simple conditions stay as simple as the format's examples.
 */
export function rootGroup(value: Condition | undefined): Group {
  if (value === undefined) return { all: [] };
  return isGroup(value) ? value : { all: [value] };
}

/** The condition a root group stands for; undefined when it has no rules. */
export function fromRootGroup(group: Group): Condition | undefined {
  const { mode, rules } = groupParts(group);
  if (rules.length === 0) return undefined;
  if (mode === 'all' && rules.length === 1) return rules[0];
  return group;
}

/**
 * Reads what a marketer typed as a rule value: `true`/`false`/`null` and numbers become JSON values,
 * text in double quotes stays text, anything else is text.
 */
export function parseValue(text: string): ConditionValue {
  const t = text.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  if (t !== '' && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(t)) return Number(t);
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    try {
      const s = JSON.parse(t);
      if (typeof s === 'string') return s;
    } catch {
      // not a JSON string: keep it as typed
    }
  }
  return text;
}

/** Shows a value so that {@link parseValue} reads it back the same: text that looks like a number is quoted. */
export function showValue(value: ConditionValue | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') {
    const back = parseValue(value);
    return back === value ? value : JSON.stringify(value);
  }
  if (Array.isArray(value)) return value.map((v) => showValue(v)).join(', ');
  return String(value);
}

/** Reads a comma-separated list for the `in` operator. */
export function parseList(text: string): ConditionValue[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseValue);
}

const opWords: Record<string, string> = {
  eq: '=',
  neq: '≠',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  contains: 'contains',
  in: 'in',
};

/**
 * A one-line reading of a condition for the canvas, e.g. `plan = pro`. Rules still being filled in
 * (no attribute or event named yet) are left out rather than shown as `and  = `.
 */
export function summarizeCondition(c: Condition | undefined, depth = 0): string {
  if (c === undefined) return '';
  if (depth > 3) return '…';
  if (isGroup(c)) {
    const { mode, rules } = groupParts(c);
    const parts = rules.map((r) => summarizeCondition(r, depth + 1)).filter((p) => p !== '');
    if (parts.length <= 1) return parts[0] ?? '';
    const text = parts.join(mode === 'all' ? ' and ' : ' or ');
    return depth > 0 ? `(${text})` : text;
  }
  if (isNot(c)) {
    const inner = summarizeCondition(c.not, depth + 1);
    return inner === '' ? '' : `not (${inner})`;
  }
  if (isEventRule(c)) {
    if (typeof c.event !== 'string' || c.event.trim() === '') return '';
    const count = c.count ?? { op: 'gte', value: 1 };
    const times = count.op === 'gte' && count.value === 1 ? '' : ` ${opWords[count.op]} ${count.value}×`;
    const within = c.within ? ` in ${describeDuration(c.within)}` : '';
    return `${c.event}${times}${within}`;
  }
  if (isAttributeRule(c)) {
    if (typeof c.attribute !== 'string' || c.attribute.trim() === '') return '';
    if (c.op === 'exists') return c.value === false ? `no ${c.attribute}` : `has ${c.attribute}`;
    return `${c.attribute} ${opWords[c.op] ?? c.op} ${showValue(c.value)}`;
  }
  return JSON.stringify(c);
}
