import { z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { rowsOf } from '../db/rows.ts';
import { textList } from './sql-list.ts';

const day = 86_400_000;

const ascending = (what: string) =>
  z
    .array(z.number().min(0))
    .length(4, `${what}: give exactly four thresholds (for scores 2–5 or 5–2)`)
    .refine((a) => a.every((v, i) => i === 0 || v > (a[i - 1] as number)), `${what}: thresholds must be ascending`);

/** RFM settings of a workspace, as the API takes and returns them. */
export const rfmSettingsSchema = z
  .object({
    purchaseEvent: z.string().trim().min(1).max(200).default('purchase'),
    amountProperty: z.string().trim().min(1).max(200).default('amount'),
    thresholds: z
      .object({
        /** Days since the last purchase at most which a contact scores 5, 4, 3, 2 (older scores 1). */
        recencyDays: ascending('thresholds.recencyDays').default([7, 30, 90, 180]),
        /** Purchase counts from which a contact scores 2, 3, 4, 5 (fewer scores 1). */
        frequency: ascending('thresholds.frequency').default([2, 3, 5, 10]),
        /** Amount totals from which a contact scores 2, 3, 4, 5 (less scores 1). */
        monetary: ascending('thresholds.monetary').default([50, 150, 500, 1000]),
      })
      .default({ recencyDays: [7, 30, 90, 180], frequency: [2, 3, 5, 10], monetary: [50, 150, 500, 1000] }),
  })
  .openapi('RfmSettings');

/** RFM settings with every default filled in. */
export type RfmSettings = z.infer<typeof rfmSettingsSchema>;

/** What a contact's `rfm` attribute holds (absent while the contact has no purchase). */
export interface RfmValues {
  recency_days: number;
  frequency: number;
  monetary: number;
  recency_score: number;
  frequency_score: number;
  monetary_score: number;
  /** The three scores as one code, e.g. `"545"`. */
  score: string;
  last_purchase_at: string;
}

/** 1 plus the number of thresholds reached: `[2, 3, 5, 10]` gives 1 purchase → 1, 4 → 3, 12 → 5. */
const scoreFrom = (value: number, thresholds: readonly number[]) => 1 + thresholds.filter((t) => value >= t).length;

/** Scores a contact's purchases with fixed thresholds; recency counts whole days since the last purchase. */
export function scoreRfm(
  settings: RfmSettings,
  purchases: { count: number; total: number; last: number },
  now: number,
): RfmValues {
  const days = Math.max(0, Math.floor((now - purchases.last) / day));
  const recency = 5 - settings.thresholds.recencyDays.filter((t) => days > t).length;
  const frequency = scoreFrom(purchases.count, settings.thresholds.frequency);
  const monetary = scoreFrom(purchases.total, settings.thresholds.monetary);
  return {
    recency_days: days,
    frequency: purchases.count,
    monetary: Math.round(purchases.total * 100) / 100,
    recency_score: recency,
    frequency_score: frequency,
    monetary_score: monetary,
    score: `${recency}${frequency}${monetary}`,
    last_purchase_at: new Date(purchases.last).toISOString(),
  };
}

/** When `recency_days` next goes up by one (and with it, possibly, the recency score): a whole day after the last purchase. */
export function nextRfmChange(values: RfmValues, now: number): number {
  const last = Date.parse(values.last_purchase_at);
  return Math.max(now + 1, last + (values.recency_days + 1) * day);
}

/**
 * Recomputes the `rfm` attribute of the given contacts from their purchase events (up to `now`), in
 * two statements: one aggregate and one update of the contacts whose values changed. Amounts that
 * are not numbers count as 0. Contacts without purchases lose the attribute.
 */
export async function refreshRfm(
  tx: Tx,
  workspaceId: string,
  settings: RfmSettings,
  contactIds: readonly string[],
  now: number,
): Promise<void> {
  if (contactIds.length === 0) return;
  const amount = settings.amountProperty;
  const rows = rowsOf<{ id: string; n: string | number; total: string | number | null; last: string | number | null }>(
    await tx.execute(sql`
      select c.id, count(e.id) as n,
        sum(case
          when jsonb_typeof(e.properties -> ${amount}) = 'number' then (e.properties ->> ${amount})::numeric
          when (e.properties ->> ${amount}) ~ '^\\s*-?[0-9]+(\\.[0-9]+)?\\s*$' then trim(e.properties ->> ${amount})::numeric
          else 0 end) as total,
        floor(extract(epoch from max(e.at)) * 1000)::bigint as last
      from contacts c
      left join events e on e.workspace_id = c.workspace_id and e.contact_id = c.id
        and e.name = ${settings.purchaseEvent} and e.at <= ${new Date(now).toISOString()}::timestamptz
      where c.workspace_id = ${workspaceId} and c.id = any(${textList(contactIds)})
      group by c.id`),
  );
  const updates = rows.map((r) => ({
    c: r.id,
    r:
      Number(r.n) === 0 || r.last === null
        ? null
        : scoreRfm(settings, { count: Number(r.n), total: Number(r.total ?? 0), last: Number(r.last) }, now),
  }));
  await tx.execute(sql`
    update contacts set
      attributes = case when x.r is null then contacts.attributes - 'rfm' else jsonb_set(contacts.attributes, '{rfm}', x.r) end,
      updated_at = now()
    from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as x(c text, r jsonb)
    where contacts.workspace_id = ${workspaceId} and contacts.id = x.c
      and (contacts.attributes -> 'rfm') is distinct from x.r`);
}
