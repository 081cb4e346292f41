/**
 * A generated contacts CSV for import tests and the import benchmark, streamed line by line (never
 * held whole), with planted rows in every block of 1,000.
 */

/** Row `i` (0-based data row; the file row is i + 2, the header being row 1). */
export function plantedRow(i: number): string {
  const k = i % 1000;
  let email = `user${i}@example.com`;
  if (k === 1)
    email = `bad${i}@@example.com`; // invalid syntax
  else if (k === 2)
    email = `USER${i - 2}@EXAMPLE.COM`; // duplicate of row i-2, by case
  else if (k === 3) email = `first.last${i}@gmail.com`;
  else if (k === 4)
    email = `firstlast${i - 1}+promo@googlemail.com`; // duplicate of row i-1: Gmail dots, +tag, googlemail
  else if (k === 5)
    email = `temp${i}@mailinator.com`; // disposable
  else if (k === 6)
    email = `info@company${i}.com`; // role
  else if (k === 7)
    email = `ann${i}@gmial.com`; // typo
  else if (k === 8)
    email = `bob${i}@hotmial.com`; // typo
  else if (k === 9)
    email = `cy${i}@yaho.com`; // typo
  else if (k === 10)
    email = ''; // missing
  else if (k === 11 && i >= 1000) email = `User${i - 989}@Example.com`; // duplicate of a row of the previous chunk
  return `${email},First ${i},${i % 2 === 0 ? 'pro' : 'free'}\n`;
}

/** Expected report of `plantedCsv(n)` for n a multiple of 1,000. */
export function plantedExpectation(n: number) {
  const blocks = n / 1000;
  const duplicates = blocks * 2 + (blocks - 1);
  const invalid = blocks * 2;
  return {
    rowsRead: n,
    invalid,
    duplicates,
    suppressed: 0,
    conflicts: 0,
    imported: n - invalid - duplicates,
    flagged: { disposable: blocks, role: blocks, typo: blocks * 3 },
  };
}

/** The CSV's lines: a header, then `n` planted rows. */
export function* plantedCsv(n: number): Generator<string> {
  yield 'email,first_name,plan\n';
  for (let i = 0; i < n; i++) yield plantedRow(i);
}

/** A request body streamed from lines, about 64 kB per chunk. */
export function streamLines(lines: Iterable<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const it = lines[Symbol.iterator]();
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      let text = '';
      while (text.length < 65_536) {
        const next = it.next();
        if (next.done) break;
        text += next.value;
      }
      if (text === '') controller.close();
      else controller.enqueue(encoder.encode(text));
    },
  });
}

/** POSTs a streamed body to `/v1/imports`; returns status and parsed JSON. */
export async function postImport<T = Record<string, unknown>>(
  url: string,
  apiKey: string,
  lines: Iterable<string>,
  options: { contentType?: string; query?: string } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}/v1/imports${options.query ?? ''}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': options.contentType ?? 'text/csv' },
    body: streamLines(lines),
    duplex: 'half',
  } as RequestInit);
  return { status: res.status, body: (await res.json()) as T };
}
