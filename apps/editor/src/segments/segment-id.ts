/**
 * An id for a new segment from its name, as the API accepts it (letters, digits, `_`, `-`, at most 100),
 * not among `taken`: "Pro customers" → `pro-customers`, then `pro-customers-2`.
 */
export function segmentIdFor(name: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 90) || 'segment';
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}
