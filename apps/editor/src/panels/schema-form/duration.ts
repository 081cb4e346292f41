/** The units the duration input offers, from the ISO 8601 designators they write. */
export const durationUnits = ['minutes', 'hours', 'days', 'weeks', 'months', 'years'] as const;
/** One unit of the duration input. */
export type DurationUnit = (typeof durationUnits)[number];

/** A duration the number-and-unit input can show: a whole amount of one unit. */
export interface SimpleDuration {
  amount: number;
  unit: DurationUnit;
  negative: boolean;
}

const dateUnits: Record<string, DurationUnit> = { Y: 'years', M: 'months', W: 'weeks', D: 'days' };
const timeUnits: Record<string, DurationUnit> = { H: 'hours', M: 'minutes' };

/** Reads `PT1H`, `P3D`, `-P1D` …; null for durations of more than one unit or fractions. */
export function parseSimpleDuration(text: string): SimpleDuration | null {
  const m = /^(-)?P(?:(\d+)([YMWD])|T(\d+)([HM]))$/.exec(text.trim());
  if (!m) return null;
  const negative = m[1] === '-';
  if (m[2] !== undefined) return { amount: Number(m[2]), unit: dateUnits[m[3] as string] as DurationUnit, negative };
  return { amount: Number(m[4]), unit: timeUnits[m[5] as string] as DurationUnit, negative };
}

/** Writes a whole amount of one unit as ISO 8601, e.g. 2 hours → `PT2H`. */
export function formatDuration(amount: number, unit: DurationUnit, negative = false): string {
  const sign = negative && amount !== 0 ? '-' : '';
  const n = Math.abs(Math.trunc(amount));
  switch (unit) {
    case 'minutes':
      return `${sign}PT${n}M`;
    case 'hours':
      return `${sign}PT${n}H`;
    case 'days':
      return `${sign}P${n}D`;
    case 'weeks':
      return `${sign}P${n}W`;
    case 'months':
      return `${sign}P${n}M`;
    case 'years':
      return `${sign}P${n}Y`;
  }
}

const singular: Record<DurationUnit, string> = {
  minutes: 'minute',
  hours: 'hour',
  days: 'day',
  weeks: 'week',
  months: 'month',
  years: 'year',
};

/** A short English reading of a duration for node summaries: `PT1H` → `1 hour`; others as written. */
export function describeDuration(text: string): string {
  const d = parseSimpleDuration(text);
  if (!d) return text;
  const words = `${d.amount} ${d.amount === 1 ? singular[d.unit] : d.unit}`;
  return d.negative ? `${words} before` : words;
}
