import type { Condition, EventCondition } from '../schema/condition.ts';
import { addDuration, type Duration, parseDuration, subtractDuration } from '../time/duration.ts';
import { type ConditionScope, evaluateCondition } from './evaluate.ts';

/**
 * The first instant at which `subtractDuration(t, d)` — the start of a window ending at `t` — is past
 * `at`, i.e. when an event at `at` stops being counted. Exact for hours and smaller; for calendar
 * parts (months differ in length, days in DST changes) a bisection finds the first such millisecond.
 */
function leavesWindowAt(at: number, d: Duration, zone: string): number {
  let hi = addDuration(at, d, zone) + 1;
  const passed = (t: number) => subtractDuration(t, d, zone) > at;
  if (passed(hi) && !passed(hi - 1)) return hi;
  let lo = hi - 1;
  // Widen until [lo, hi] brackets the change: lo not yet past, hi past.
  for (let step = 3_600_000; passed(lo); step *= 2) lo -= step;
  for (let step = 3_600_000; !passed(hi); step *= 2) hi += step;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (passed(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The instants after `now` at which an event rule's count can change: events leaving its window or coming due. */
function ruleBoundaries(rule: EventCondition, scope: ConditionScope, out: Set<number>): void {
  const d = rule.within === undefined ? null : parseDuration(rule.within);
  const zone = scope.zone ?? 'UTC';
  for (const e of scope.history ?? []) {
    if (e.event !== rule.event) continue;
    if (rule.where && !evaluateCondition(rule.where, { attributes: e.properties, now: scope.now })) continue;
    // An event stamped in the future is counted once the clock reaches it.
    if (e.at > scope.now) out.add(e.at);
    if (d) {
      const leaves = leavesWindowAt(e.at, d, zone);
      if (leaves > scope.now) out.add(leaves);
    }
  }
}

function collect(c: Condition, scope: ConditionScope, out: Set<number>): void {
  if ('all' in c) for (const x of c.all) collect(x, scope, out);
  else if ('any' in c) for (const x of c.any) collect(x, scope, out);
  else if ('not' in c) collect(c.not, scope, out);
  else if ('event' in c) ruleBoundaries(c, scope, out);
}

/**
 * The earliest instant after `scope.now` at which the condition's answer changes with no new data —
 * because a counted event leaves a `within` window or an event stamped in the future comes due — or
 * null when it never changes that way. Only boundaries that flip the answer count: "at least 2
 * purchases in P30D" with three purchases changes when the second-newest leaves the window, not the
 * oldest. After `maxChecks` boundaries without a change it returns the last one checked, so a caller
 * that re-evaluates then is still right (and asks again).
 *
 * @example
 * nextConditionChange({ event: 'purchase', within: 'P1D' }, { attributes: {}, history: [{ event: 'purchase', at: 0, properties: {} }], now: 1000 }) // 86_400_001
 */
export function nextConditionChange(condition: Condition, scope: ConditionScope, maxChecks = 64): number | null {
  const boundaries = new Set<number>();
  collect(condition, scope, boundaries);
  if (boundaries.size === 0) return null;
  const sorted = [...boundaries].sort((a, b) => a - b);
  const current = evaluateCondition(condition, scope);
  let checked = 0;
  for (const t of sorted) {
    if (evaluateCondition(condition, { ...scope, now: t }) !== current) return t;
    if (++checked >= maxChecks) return t;
  }
  return null;
}
