import { useId } from 'react';
import type { ImportIssue, ImportSummary } from '../api/client.ts';
import { format, type Strings, useStrings } from '../strings.ts';

/** Where an import is: uploading and being read, finished, or stopped. */
export type ImportPhase = 'running' | 'done' | 'failed';

/** Props of {@link ImportProgress}. */
export interface ImportProgressProps {
  phase: ImportPhase;
  dryRun: boolean;
  /** Rows read so far. */
  read: number;
  /** Rows the file holds, as counted before the upload (an estimate). */
  total: number;
  error?: string | null | undefined;
}

/**
 * The progress of an import: a progress bar (`role="progressbar"` with `aria-valuenow`) of rows read
 * out of the rows counted in the file, and the same in words for screen readers.
 */
export function ImportProgress({ phase, dryRun, read, total, error }: ImportProgressProps) {
  const s = useStrings();
  const max = Math.max(phase === 'done' ? read : total, 1);
  const now = phase === 'done' ? max : Math.min(read, max);
  const text =
    phase === 'done'
      ? format(s.importDone, { read })
      : phase === 'failed'
        ? format(s.importFailed, { message: error ?? '' })
        : format(dryRun ? s.importChecking : s.importRunning, { read, total });
  return (
    <div className="wm-import-progress">
      <div
        className={`wm-progress wm-progress-${phase}`}
        role="progressbar"
        aria-label={s.importProgress}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={now}
        aria-valuetext={text}
      >
        <div className="wm-progress-fill" style={{ width: `${Math.round((now / max) * 100)}%` }} />
      </div>
      <p className={phase === 'failed' ? 'wm-field-error' : 'wm-hint'} role={phase === 'failed' ? 'alert' : 'status'}>
        {text}
      </p>
    </div>
  );
}

/** Where a failed import got to, from its summary. */
export interface ResumePoint {
  /** Data rows committed before the failure. */
  committed: number;
  /** The file row the error is about, when known. */
  errorRow: number | null;
  /** The first file row not committed. */
  row: number;
}

/**
 * The resume point of a failed real import, or null when there is nothing to resume (a dry run,
 * nothing committed by an import that started at the file's top, or a runtime without these fields).
 */
export function resumePointOf(summary: ImportSummary | undefined): ResumePoint | null {
  if (!summary || summary.dryRun || summary.status !== 'failed') return null;
  const { rowsCommitted, resumeFromRow, errorRow, startRow } = summary;
  if (typeof rowsCommitted !== 'number' || typeof resumeFromRow !== 'number') return null;
  if (rowsCommitted === 0 && startRow === null) return null;
  return { committed: rowsCommitted, errorRow: errorRow ?? null, row: resumeFromRow };
}

/** Props of {@link ImportResume}. */
export interface ImportResumeProps {
  point: ResumePoint;
  /** Uploads the chosen file again from `point.row`. */
  onResume: (row: number) => void;
  disabled?: boolean;
}

/**
 * What a failed import kept and where to go on: "2,000 rows were imported before the error on row
 * 2,512; fix the file and resume from row 2,002", with a button that does that.
 */
export function ImportResume({ point, onResume, disabled = false }: ImportResumeProps) {
  const s = useStrings();
  const hintId = useId();
  const n = (v: number) => v.toLocaleString();
  const values = { committed: n(point.committed), row: n(point.row) };
  return (
    <div className="wm-import-resume">
      <p>
        {point.errorRow === null
          ? format(s.importKept, values)
          : format(s.importKeptAt, { ...values, errorRow: n(point.errorRow) })}
      </p>
      <p id={hintId} className="wm-hint">
        {format(s.importResumeHint, values)}
      </p>
      <button
        type="button"
        className="wm-button wm-primary"
        aria-describedby={hintId}
        disabled={disabled}
        onClick={() => onResume(point.row)}
      >
        {format(s.importResume, values)}
      </button>
    </div>
  );
}

/** The report's categories with their counts, in the order the report lists them. */
export function reportCategories(summary: ImportSummary, s: Strings): { key: string; label: string; count: number }[] {
  return [
    { key: 'invalid', label: s.cat_invalid, count: summary.invalid },
    { key: 'duplicate', label: s.cat_duplicate, count: summary.duplicates },
    { key: 'suppressed', label: s.cat_suppressed, count: summary.suppressed },
    { key: 'conflict', label: s.cat_conflict, count: summary.conflicts },
    { key: 'disposable', label: s.cat_disposable, count: summary.flagged.disposable },
    { key: 'role', label: s.cat_role, count: summary.flagged.role },
    { key: 'typo', label: s.cat_typo, count: summary.flagged.typo },
  ];
}

/** Props of {@link ImportReport}. */
export interface ImportReportProps {
  summary: ImportSummary;
  issues: readonly ImportIssue[];
  /** Loads the next page of the per-row report; absent when there is none. */
  onMore?: (() => void) | undefined;
}

/**
 * An import's final report: counts by category (invalid, duplicate, suppressed, conflict, and the
 * imported-but-flagged disposable, role and typo addresses) and the per-row errors and warnings, with
 * the suggested address for likely typos.
 */
export function ImportReport({ summary, issues, onMore }: ImportReportProps) {
  const s = useStrings();
  const headingId = useId();
  const issuesId = useId();
  return (
    <section className="wm-import-report" aria-labelledby={headingId}>
      <h2 id={headingId}>{summary.dryRun ? s.dryRunReport : s.importReport}</h2>
      <table className="wm-journeys wm-report-counts">
        <tbody>
          <tr>
            <th scope="row">{s.rowsRead}</th>
            <td data-category="read">{summary.rowsRead}</td>
          </tr>
          <tr>
            <th scope="row">{summary.dryRun ? s.wouldImport : s.imported}</th>
            <td data-category="imported">{summary.imported}</td>
          </tr>
          {reportCategories(summary, s).map((c) => (
            <tr key={c.key} className={c.count > 0 ? 'wm-report-hit' : undefined}>
              <th scope="row">{c.label}</th>
              <td data-category={c.key}>{c.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3 id={issuesId}>{s.rowErrors}</h3>
      {issues.length === 0 ? (
        <p className="wm-muted">{s.noIssues}</p>
      ) : (
        <table className="wm-journeys wm-report-rows" aria-labelledby={issuesId}>
          <thead>
            <tr>
              <th scope="col">{s.row}</th>
              <th scope="col">{s.field}</th>
              <th scope="col">{s.problem}</th>
              <th scope="col">{s.suggestion}</th>
            </tr>
          </thead>
          <tbody>
            {issues.map((i) => (
              <tr key={`${i.row}:${i.code}`} className={`wm-issue-${i.severity}`}>
                <td>{i.row}</td>
                <td>{i.field}</td>
                <td>
                  <span className={`wm-severity wm-severity-${i.severity}`}>
                    {i.severity === 'error' ? s.severity_error : s.severity_warning}
                  </span>{' '}
                  {i.message}
                </td>
                <td>{i.suggestion ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {onMore && (
        <button type="button" className="wm-button" onClick={onMore}>
          {s.moreIssues}
        </button>
      )}
      {summary.reportOverflow > 0 && (
        <p className="wm-hint">{format(s.reportOverflow, { count: summary.reportOverflow })}</p>
      )}
    </section>
  );
}
