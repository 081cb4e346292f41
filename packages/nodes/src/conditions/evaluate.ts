import type { Condition, ConditionValue, EventCondition } from '../schema/condition.ts';
import { parseDuration, subtractDuration } from '../time/duration.ts';

/** An event in a contact's history, with its time as epoch milliseconds. */
export interface HistoryEvent {
  event: string;
  at: number;
  properties: Readonly<Record<string, unknown>>;
}

/** What a condition is evaluated against. */
export interface ConditionScope {
  /** The values `attribute` rules read: a contact's attributes, or an event's properties inside `where`. */
  attributes: Readonly<Record<string, unknown>>;
  /** The contact's events, oldest first; event rules count these. */
  history?: readonly HistoryEvent[];
  /** The moment of evaluation, epoch milliseconds; `within` windows end here. */
  now: number;
  /** Time zone for calendar windows such as `P1M`. */
  zone?: string;
}

/** Reads `a.b.c` from nested objects; a flat key containing dots wins over nesting. */
export function readPath(source: Readonly<Record<string, unknown>>, path: string): unknown {
  if (path in source) return source[path];
  if (!path.includes('.')) return undefined;
  let current: unknown = source;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function asComparable(v: unknown): number | string | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.getTime();
  return null;
}

const isoDate = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Orders two values: numbers numerically, dates by time, other strings lexically; null when incomparable. */
function compare(a: unknown, b: unknown): number | null {
  const x = asComparable(a);
  const y = asComparable(b);
  if (x === null || y === null) return null;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  if (typeof x === 'string' && typeof y === 'string') {
    if (isoDate.test(x) && isoDate.test(y)) return Date.parse(x) - Date.parse(y);
    const nx = Number(x);
    const ny = Number(y);
    if (x.trim() !== '' && y.trim() !== '' && Number.isFinite(nx) && Number.isFinite(ny)) return nx - ny;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const nx = Number(x);
  const ny = Number(y);
  if (Number.isFinite(nx) && Number.isFinite(ny) && String(x).trim() !== '' && String(y).trim() !== '') return nx - ny;
  return null;
}

function equals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return compare(a, b) === 0;
}

/** Applies one comparison operator; `value` is what the rule states, `actual` what the data holds. */
export function applyOp(op: string, actual: unknown, value: ConditionValue | undefined): boolean {
  switch (op) {
    case 'eq':
      return equals(actual, value);
    case 'neq':
      return !equals(actual, value);
    case 'gt': {
      const c = compare(actual, value);
      return c !== null && c > 0;
    }
    case 'gte': {
      const c = compare(actual, value);
      return c !== null && c >= 0;
    }
    case 'lt': {
      const c = compare(actual, value);
      return c !== null && c < 0;
    }
    case 'lte': {
      const c = compare(actual, value);
      return c !== null && c <= 0;
    }
    case 'contains':
      if (typeof actual === 'string')
        return typeof value === 'string' && actual.toLowerCase().includes(value.toLowerCase());
      if (Array.isArray(actual)) return actual.some((item) => equals(item, value));
      return false;
    case 'in':
      return Array.isArray(value) && value.some((item) => equals(actual, item));
    case 'exists': {
      const present = actual !== undefined && actual !== null && actual !== '';
      return value === false ? !present : present;
    }
    default:
      return false;
  }
}

function countEvents(rule: EventCondition, scope: ConditionScope): boolean {
  const history = scope.history ?? [];
  let since = Number.NEGATIVE_INFINITY;
  if (rule.within !== undefined) {
    const d = parseDuration(rule.within);
    if (d) since = subtractDuration(scope.now, d, scope.zone ?? 'UTC');
  }
  let n = 0;
  for (const e of history) {
    if (e.event !== rule.event || e.at < since || e.at > scope.now) continue;
    if (rule.where && !evaluateCondition(rule.where, { attributes: e.properties, now: scope.now })) continue;
    n++;
  }
  const count = rule.count ?? { op: 'gte', value: 1 };
  return applyOp(count.op, n, count.value);
}

/**
 * Evaluates a condition of the journey language against attributes and an event history.
 *
 * @example
 * evaluateCondition({ attribute: 'plan', op: 'eq', value: 'pro' }, { attributes: { plan: 'pro' }, now: 0 }) // true
 */
export function evaluateCondition(condition: Condition, scope: ConditionScope): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluateCondition(c, scope));
  if ('any' in condition) return condition.any.some((c) => evaluateCondition(c, scope));
  if ('not' in condition) return !evaluateCondition(condition.not, scope);
  if ('event' in condition) return countEvents(condition, scope);
  return applyOp(condition.op, readPath(scope.attributes, condition.attribute), condition.value);
}

/** The time after `now` at which the condition's answer may change because an event leaves a `within` window. */
export function nextWindowExpiry(condition: Condition, scope: ConditionScope): number | null {
  let best: number | null = null;
  const consider = (t: number | null) => {
    if (t !== null && t > scope.now && (best === null || t < best)) best = t;
  };
  const walk = (c: Condition) => {
    if ('all' in c) c.all.forEach(walk);
    else if ('any' in c) c.any.forEach(walk);
    else if ('not' in c) walk(c.not);
    else if ('event' in c && c.within !== undefined) {
      const d = parseDuration(c.within);
      if (!d) return;
      const since = subtractDuration(scope.now, d, scope.zone ?? 'UTC');
      for (const e of scope.history ?? []) {
        if (e.event === c.event && e.at >= since && e.at <= scope.now) consider(e.at + (scope.now - since) + 1);
      }
    }
  };
  walk(condition);
  return best;
}
