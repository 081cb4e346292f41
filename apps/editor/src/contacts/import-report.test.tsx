import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ImportIssue, ImportSummary } from '../api/client.ts';
import { countRows, importFormatOf } from './count-rows.ts';
import { ImportProgress, ImportReport, ImportResume, resumePointOf } from './import-report.tsx';

afterEach(cleanup);

const summary = (over: Partial<ImportSummary> = {}): ImportSummary => ({
  id: 'imp_1',
  format: 'csv',
  dryRun: false,
  status: 'done',
  rowsRead: 7,
  imported: 4,
  invalid: 2,
  duplicates: 1,
  suppressed: 0,
  conflicts: 0,
  flagged: { disposable: 1, role: 1, typo: 1 },
  reportOverflow: 0,
  error: null,
  errorRow: null,
  rowsCommitted: 7,
  resumeFromRow: null,
  startRow: null,
  ...over,
});

const issues: ImportIssue[] = [
  {
    row: 2,
    severity: 'error',
    field: 'email',
    code: 'invalid_syntax',
    message: 'not an email address',
    suggestion: null,
  },
  {
    row: 4,
    severity: 'warning',
    field: 'email',
    code: 'possible_typo',
    message: 'the domain of bo@gmial.com looks like a misspelling',
    suggestion: 'bo@gmail.com',
  },
  {
    row: 5,
    severity: 'warning',
    field: 'email',
    code: 'duplicate',
    message: 'same address as row 3',
    suggestion: null,
  },
];

describe('ImportProgress', () => {
  it('reports rows read out of the rows counted while running', () => {
    render(<ImportProgress phase="running" dryRun={false} read={250} total={1000} />);
    const bar = screen.getByRole('progressbar', { name: 'Import progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('250');
    expect(bar.getAttribute('aria-valuemax')).toBe('1000');
    expect(bar.getAttribute('aria-valuetext')).toBe('Importing… 250 of about 1000 rows');
    expect(screen.getByRole('status').textContent).toBe('Importing… 250 of about 1000 rows');
  });

  it('never runs past the end when the file had more rows than counted, and is full when done', () => {
    const { rerender } = render(<ImportProgress phase="running" dryRun read={12} total={10} />);
    const bar = () => screen.getByRole('progressbar');
    expect(bar().getAttribute('aria-valuenow')).toBe('10');
    expect(bar().getAttribute('aria-valuetext')).toBe('Checking… 12 of about 10 rows');
    rerender(<ImportProgress phase="done" dryRun read={12} total={10} />);
    expect(bar().getAttribute('aria-valuenow')).toBe('12');
    expect(bar().getAttribute('aria-valuemax')).toBe('12');
    expect(screen.getByRole('status').textContent).toBe('Done: 12 rows read');
  });

  it('announces a failure as an alert with the reason', () => {
    render(<ImportProgress phase="failed" dryRun={false} read={3} total={10} error="row 4: unclosed quote" />);
    expect(screen.getByRole('alert').textContent).toBe('The import stopped: row 4: unclosed quote');
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('3');
  });
});

describe('ImportReport', () => {
  const countOf = (label: string) => {
    const row = screen.getByRole('rowheader', { name: label }).closest('tr') as HTMLElement;
    return within(row).getByRole('cell').textContent;
  };

  it('counts every category and lists the rows with their problems and suggestions', () => {
    render(<ImportReport summary={summary()} issues={issues} />);
    expect(screen.getByRole('heading', { name: 'Report' })).toBeTruthy();
    expect(countOf('Rows read')).toBe('7');
    expect(countOf('Imported')).toBe('4');
    expect(countOf('Invalid')).toBe('2');
    expect(countOf('Duplicates (merged)')).toBe('1');
    expect(countOf('Disposable domain')).toBe('1');
    expect(countOf('Role account')).toBe('1');
    expect(countOf('Possible typo')).toBe('1');
    expect(countOf('Suppressed (not imported)')).toBe('0');

    const rows = within(screen.getByRole('table', { name: 'Rows with errors and warnings' })).getAllByRole('row');
    expect(rows.map((r) => r.textContent)).toEqual([
      'RowFieldProblemDid you mean',
      '2emailerror not an email address',
      '4emailwarning the domain of bo@gmial.com looks like a misspelling' + 'bo@gmail.com',
      '5emailwarning same address as row 3',
    ]);
  });

  it('says what a dry run would do, offers more rows when there are more, and notes overflow', () => {
    const onMore = vi.fn();
    render(<ImportReport summary={summary({ dryRun: true, reportOverflow: 12 })} issues={[]} onMore={onMore} />);
    expect(screen.getByRole('heading', { name: 'Dry run report (nothing was imported)' })).toBeTruthy();
    expect(countOf('Would be imported')).toBe('4');
    expect(screen.getByText('Every row was fine.')).toBeTruthy();
    expect(screen.getByText('12 more report entries were counted but not stored.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Show more rows' }));
    expect(onMore).toHaveBeenCalledOnce();
  });

  it('shows user text as text, never as markup', () => {
    const hostile: ImportIssue = {
      row: 9,
      severity: 'error',
      field: 'email',
      code: 'invalid_syntax',
      message: '<img src=x onerror=alert(1)> is not an email address',
      suggestion: null,
    };
    const { container } = render(<ImportReport summary={summary()} issues={[hostile]} />);
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getByText(/<img src=x onerror=alert\(1\)> is not an email address/)).toBeTruthy();
  });
});

describe('a failed import that kept rows', () => {
  const lateFailure = summary({
    status: 'failed',
    rowsRead: 2495,
    rowsCommitted: 2000,
    resumeFromRow: 2002,
    errorRow: 2512,
    error: 'row 2512: a quoted cell is never closed',
  });

  it('finds the resume point only for real imports that kept rows or resumed already', () => {
    expect(resumePointOf(lateFailure)).toEqual({ committed: 2000, errorRow: 2512, row: 2002 });
    expect(resumePointOf(summary())).toBeNull();
    expect(resumePointOf(summary({ status: 'failed', dryRun: true, rowsCommitted: 0 }))).toBeNull();
    expect(resumePointOf(summary({ status: 'failed', rowsCommitted: 0, resumeFromRow: 2, errorRow: 40 }))).toBeNull();
    expect(
      resumePointOf(
        summary({ status: 'failed', rowsCommitted: 0, resumeFromRow: 2002, startRow: 2002, errorRow: 2512 }),
      ),
    ).toEqual({ committed: 0, errorRow: 2512, row: 2002 });
    expect(resumePointOf(undefined)).toBeNull();
  });

  it('says how many rows were imported, where the error is and where to resume, and resumes from there', () => {
    const point = resumePointOf(lateFailure);
    if (!point) throw new Error('no resume point');
    const onResume = vi.fn();
    render(<ImportResume point={point} onResume={onResume} />);
    expect(
      screen.getByText(
        '2,000 rows were imported before the error on row 2,512; fix the file and resume from row 2,002.',
      ),
    ).toBeTruthy();
    const button = screen.getByRole('button', { name: 'Resume from row 2,002' });
    expect(button.getAttribute('aria-describedby')).toBe(
      screen.getByText(/^Choose the fixed file above/).getAttribute('id'),
    );
    fireEvent.click(button);
    expect(onResume).toHaveBeenCalledWith(2002);
  });

  it('words a stop without a row (the database failed) and waits while it cannot resume', () => {
    const onResume = vi.fn();
    render(<ImportResume point={{ committed: 1000, errorRow: null, row: 1002 }} onResume={onResume} disabled />);
    expect(screen.getByText('1,000 rows were imported before the import stopped; resume from row 1,002.')).toBeTruthy();
    const button = screen.getByRole('button', { name: 'Resume from row 1,002' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
  });
});

describe('countRows', () => {
  it('counts non-empty lines, less the header of a CSV', async () => {
    expect(await countRows(new Blob(['email\r\na@x.com\r\n\r\nb@x.com']), 'csv')).toBe(2);
    expect(await countRows(new Blob(['{"email":"a@x.com"}\n{"email":"b@x.com"}\n']), 'ndjson')).toBe(2);
    expect(await countRows(new Blob(['email\n']), 'csv')).toBe(0);
    expect(await countRows(new Blob(['']), 'ndjson')).toBe(0);
  });

  it('tells the format from the file name or type', () => {
    expect(importFormatOf({ name: 'List.CSV', type: '' })).toBe('csv');
    expect(importFormatOf({ name: 'x', type: 'text/csv' })).toBe('csv');
    expect(importFormatOf({ name: 'x.jsonl', type: '' })).toBe('ndjson');
    expect(importFormatOf({ name: 'x.ndjson', type: 'application/x-ndjson' })).toBe('ndjson');
    expect(importFormatOf({ name: 'x.xlsx', type: 'application/vnd.ms-excel' })).toBeUndefined();
  });
});
