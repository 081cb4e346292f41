import { type SQL, sql } from 'drizzle-orm';

/** A text[] of `values` for `= any(…)`, passed as ONE JSON parameter whatever the count. */
export function textList(values: Iterable<string>): SQL {
  return sql`array(select jsonb_array_elements_text(${JSON.stringify([...values])}::jsonb))`;
}
