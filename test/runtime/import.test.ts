import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plantedCsv, plantedExpectation, postImport } from '../support/import-csv.ts';
import { backend, type DatabaseKind, queryRows, startTestRuntime, type TestRuntime } from '../support/runtime.ts';

const kinds: DatabaseKind[] = ['pglite', 'postgres'];

interface Summary {
  id: string;
  status: string;
  rowsRead: number;
  imported: number;
  invalid: number;
  duplicates: number;
  suppressed: number;
  conflicts: number;
  flagged: { disposable: number; role: number; typo: number };
  error: string | null;
  errorRow: number | null;
  rowsCommitted: number;
  resumeFromRow: number | null;
  startRow: number | null;
  errors?: Issue[];
}
interface Issue {
  row: number;
  severity: string;
  field: string;
  code: string;
  message: string;
  suggestion: string | null;
}

describe.each(kinds)('contact import with list hygiene on %s', (kind) => {
  const skip = backend(kind).skip;
  let t: TestRuntime;

  beforeAll(async () => {
    if (skip) return;
    t = await startTestRuntime(kind, { workers: false });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  const count = async () => {
    const rows = await queryRows<{ n: number }>(t, `select count(*)::int as n from contacts`);
    return Number((rows[0] as { n: number }).n);
  };
  const emailsOf = () =>
    queryRows<{ email: string; attributes: Record<string, unknown> }>(
      t,
      `select email, attributes from contacts order by email`,
    );

  it.skipIf(skip)('a dry run reports the planted rows and writes nothing', async () => {
    const dry = await postImport<Summary>(t.url, t.apiKey, plantedCsv(2000), { query: '?dryRun=true' });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ status: 'done', ...plantedExpectation(2000) });
    expect(dry.body.errors?.find((e) => e.code === 'possible_typo')).toMatchObject({
      row: 9,
      field: 'email',
      suggestion: 'ann7@gmail.com',
    });
    expect(await count()).toBe(0);
    expect((await t.api('GET', `/v1/imports/${dry.body.id}`)).status).toBe(404);
  });

  it.skipIf(skip)(
    'imports a streamed 100k-row CSV with exactly the expected report',
    async () => {
      const res = await postImport<Summary>(t.url, t.apiKey, plantedCsv(100_000), { query: '?id=big' });
      expect(res.status).toBe(201);
      const expected = plantedExpectation(100_000);
      expect(expected).toEqual({
        rowsRead: 100_000,
        invalid: 200,
        duplicates: 299,
        suppressed: 0,
        conflicts: 0,
        imported: 99_501,
        flagged: { disposable: 100, role: 100, typo: 300 },
      });
      expect(res.body).toMatchObject({ id: 'big', status: 'done', ...expected });
      expect(await count()).toBe(99_501);

      const progress = await t.api<Summary & { finishedAt: string }>('GET', '/v1/imports/big');
      expect(progress.body).toMatchObject({
        status: 'done',
        ...expected,
        rowsCommitted: 100_000,
        resumeFromRow: null,
        errorRow: null,
      });
      expect(progress.body.finishedAt).toBeTruthy();

      // Errors name the row (the header is row 1) and the field.
      const errors = await t.api<{ errors: Issue[] }>('GET', '/v1/imports/big/errors?severity=error&limit=3');
      expect(errors.body.errors).toEqual([
        {
          row: 3,
          severity: 'error',
          field: 'email',
          code: 'invalid_syntax',
          message: expect.any(String),
          suggestion: null,
        },
        { row: 12, severity: 'error', field: 'email', code: 'missing', message: 'no email address', suggestion: null },
        {
          row: 1003,
          severity: 'error',
          field: 'email',
          code: 'invalid_syntax',
          message: expect.any(String),
          suggestion: null,
        },
      ]);
      const typos = await t.api<{ errors: Issue[] }>('GET', '/v1/imports/big/errors?code=possible_typo&limit=3');
      expect(typos.body.errors.map((e) => [e.row, e.suggestion])).toEqual([
        [9, 'ann7@gmail.com'],
        [10, 'bob8@hotmail.com'],
        [11, 'cy9@yahoo.com'],
      ]);
      const dups = await t.api<{ errors: Issue[] }>('GET', '/v1/imports/big/errors?code=duplicate&limit=1000');
      expect(dups.body.errors.slice(0, 3).map((e) => [e.row, e.message])).toEqual([
        [4, 'same address as row 2: merged into it'],
        [6, 'same address as row 5: merged into it'],
        [1004, 'same address as row 1002: merged into it'],
      ]);
      expect(dups.body.errors.find((e) => e.row === 1013)?.message).toBe('same address as row 24: merged into it');
      const all = await t.api<{ errors: Issue[]; next: string | null }>('GET', '/v1/imports/big/errors?limit=10000');
      expect(all.body.errors).toHaveLength(200 + 299 + 500);
      expect(all.body.next).toBeNull();

      // Duplicates were merged into the first spelling, not added as contacts of their own.
      const rows = await emailsOf();
      const gmail = rows.filter((r) => r.email.includes('gmail.com') && r.email.startsWith('first'));
      expect(gmail).toHaveLength(100);
      expect(gmail.find((r) => r.email === 'first.last3@gmail.com')?.attributes).toEqual({
        first_name: 'First 4',
        plan: 'pro',
      });
      expect(rows.some((r) => r.email === 'USER0@EXAMPLE.COM')).toBe(false);
      expect(rows.find((r) => r.email === 'user0@example.com')?.attributes.first_name).toBe('First 2');

      const audit = await t.api<{ entries: { subjectId: string; details: { imported: number } }[] }>(
        'GET',
        '/v1/audit?action=contacts.imported',
      );
      expect(audit.body.entries).toHaveLength(1);
      expect(audit.body.entries[0]).toMatchObject({ subjectId: 'big', details: { imported: 99_501 } });
    },
    300_000,
  );

  it.skipIf(skip)('never resubscribes a suppressed or erased address; JSON lines too', async () => {
    await t.api('POST', '/v1/suppressions', { email: 'gone@example.org' });
    await t.api('POST', '/v1/contacts', { id: 'era', email: 'era@example.org' });
    expect((await t.api('POST', '/v1/contacts/era/erase')).status).toBe(200);
    const lines = [
      `${JSON.stringify({ email: 'Gone@Example.org', attributes: { plan: 'pro' } })}\n`,
      `${JSON.stringify({ email: 'ERA@example.org' })}\n`,
      `${JSON.stringify({ email: 'new@example.org', id: 'n1', city: 'Oslo' })}\n`,
      '\n',
      'not json\n',
      `${JSON.stringify({ id: 'x', email: 42 })}\n`,
    ];
    const res = await postImport<Summary>(t.url, t.apiKey, lines, {
      contentType: 'application/x-ndjson',
      query: '?id=jsonl',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ rowsRead: 5, imported: 1, suppressed: 2, invalid: 2, duplicates: 0 });
    const report = await t.api<{ errors: Issue[] }>('GET', '/v1/imports/jsonl/errors');
    expect(report.body.errors.map((e) => [e.row, e.field, e.code])).toEqual([
      [1, 'email', 'suppressed'],
      [2, 'email', 'suppressed'],
      [5, '(row)', 'invalid_json'],
      [6, 'email', 'invalid_type'],
    ]);
    const emails = (await emailsOf()).map((r) => r.email.toLowerCase());
    expect(emails).not.toContain('gone@example.org');
    expect(emails).not.toContain('era@example.org');
    expect((await t.api<{ attributes: unknown }>('GET', '/v1/contacts/n1')).body.attributes).toEqual({ city: 'Oslo' });
  });

  it.skipIf(skip)('refuses an unknown content type and reports a CSV without an email column', async () => {
    const wrong = await postImport<{ error: { message: string } }>(t.url, t.apiKey, ['a,b\n'], {
      contentType: 'text/plain',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('content-type');
    const noEmail = await postImport<{ error: { message: string } }>(t.url, t.apiKey, ['name,plan\nann,pro\n'], {
      query: '?id=noemail',
    });
    expect(noEmail.status).toBe(400);
    expect(noEmail.body.error.message).toContain('row 1');
    expect((await t.api<Summary>('GET', '/v1/imports/noemail')).body.status).toBe('failed');
    const broken = await postImport<{ error: { message: string } }>(t.url, t.apiKey, ['email\n"ann@example.com\n'], {
      query: '?id=broken',
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toMatch(/quote/i);
    const failed = await t.api<Summary>('GET', '/v1/imports/broken');
    expect(failed.body).toMatchObject({ status: 'failed', error: expect.stringMatching(/quote/i) });
  });

  it.skipIf(skip)(
    'a file that breaks late keeps its committed chunks, says where to resume, and resumes from there',
    async () => {
      // File rows 2…2600 (the header is row 1); row 2512 opens a quote it never closes.
      const lateFile = function* (plan: string, broken: boolean) {
        yield 'email,plan\n';
        for (let row = 2; row <= 2600; row++)
          yield broken && row === 2512 ? `late${row}@example.net,"${plan}\n` : `late${row}@example.net,${plan}\n`;
      };
      const lateContacts = async () => {
        const rows = await queryRows<{ email: string; plan: string }>(
          t,
          `select email, attributes->>'plan' as plan from contacts where email like 'late%@example.net'`,
        );
        return new Map(rows.map((c) => [Number(/^late(\d+)@/.exec(c.email)?.[1]), c.plan]));
      };

      const failed = await postImport<{ error: { message: string; details: { import: Summary } } }>(
        t.url,
        t.apiKey,
        lateFile('first', true),
        { query: '?id=late' },
      );
      expect(failed.status).toBe(400);
      expect(failed.body.error.message).toBe(
        'row 2512: a quoted cell is never closed: its opening " has no closing " (the rest of the file was read into it)',
      );
      const expected = {
        status: 'failed',
        errorRow: 2512,
        rowsCommitted: 2000,
        resumeFromRow: 2002,
        startRow: null,
        error: failed.body.error.message,
      };
      expect(failed.body.error.details.import).toMatchObject(expected);
      const status = await t.api<Summary>('GET', '/v1/imports/late');
      expect(status.body).toMatchObject({ ...expected, imported: 2000 });
      // Exactly the two committed chunks are there: file rows 2…2001.
      const kept = await lateContacts();
      expect(kept.size).toBe(2000);
      expect(Math.min(...kept.keys())).toBe(2);
      expect(Math.max(...kept.keys())).toBe(2001);

      // The fixed file (every row now says "second") from row 2002: only the rest is read and imported.
      const bad = await postImport<{ error: { message: string } }>(t.url, t.apiKey, lateFile('second', false), {
        query: '?startRow=0',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/^query startRow: /);
      const resumed = await postImport<Summary>(t.url, t.apiKey, lateFile('second', false), {
        query: `?id=late-rest&startRow=${status.body.resumeFromRow}`,
      });
      expect(resumed.status).toBe(201);
      const done = {
        status: 'done',
        rowsRead: 599,
        imported: 599,
        rowsCommitted: 599,
        resumeFromRow: null,
        startRow: 2002,
        errorRow: null,
        error: null,
      };
      expect(resumed.body).toMatchObject(done);
      expect((await t.api<Summary>('GET', '/v1/imports/late-rest')).body).toMatchObject(done);
      const all = await lateContacts();
      expect(all.size).toBe(2599);
      expect([all.get(2), all.get(2001), all.get(2002), all.get(2512), all.get(2600)]).toEqual([
        'first',
        'first',
        'second',
        'second',
        'second',
      ]);
    },
    120_000,
  );
});
