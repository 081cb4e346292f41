/**
 * Counts the data rows of an import file without holding it in memory: non-empty lines, less the
 * header line of a CSV. An estimate (a quoted CSV value may span lines) that sizes the progress bar.
 */
export async function countRows(file: Blob, format: 'csv' | 'ndjson'): Promise<number> {
  let lines = 0;
  let lineHasText = false;
  const count = (bytes: Uint8Array) => {
    for (const b of bytes) {
      if (b === 10) {
        if (lineHasText) lines++;
        lineHasText = false;
      } else if (b !== 13 && b !== 32 && b !== 9) lineHasText = true;
    }
  };
  if (typeof file.stream === 'function') {
    const reader = file.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      count(value);
    }
  } else count(new Uint8Array(await file.arrayBuffer()));
  if (lineHasText) lines++;
  return Math.max(0, format === 'csv' ? lines - 1 : lines);
}

/** The import format of a file, from its type or name; undefined when it is neither CSV nor JSON lines. */
export function importFormatOf(file: { name: string; type: string }): 'csv' | 'ndjson' | undefined {
  const name = file.name.toLowerCase();
  if (file.type === 'text/csv' || name.endsWith('.csv')) return 'csv';
  if (/\.(ndjson|jsonl|json)$/.test(name) || /ndjson|jsonl/.test(file.type)) return 'ndjson';
  return undefined;
}
