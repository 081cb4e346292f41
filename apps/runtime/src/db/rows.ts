/** Rows of a raw `db.execute` result, whichever driver ran it (postgres.js gives an array, PGlite `{ rows }`). */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? (rows as T[]) : [];
}

/** A timestamp column from a raw row as a Date (drivers differ: Date or string). */
export function asDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}
