import { Upload } from 'lucide-react';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { ApiClient, ImportIssue, ImportSummary } from '../api/client.ts';
import { asApiError } from '../app/as-api-error.ts';
import { useStrings } from '../strings.ts';
import { countRows, importFormatOf } from './count-rows.ts';
import {
  type ImportPhase,
  ImportProgress,
  ImportReport,
  ImportResume,
  type ResumePoint,
  resumePointOf,
} from './import-report.tsx';

/** Props of {@link ImportPanel}. */
export interface ImportPanelProps {
  api: ApiClient;
  /** Called after a real (not dry-run) import finished, so the contact list can reload. */
  onImported?: (() => void) | undefined;
  /** How often the progress is asked for while the file uploads. */
  pollMs?: number;
}

interface Run {
  id: string;
  dryRun: boolean;
  phase: ImportPhase;
  read: number;
  total: number;
  error: string | null;
  summary: ImportSummary | null;
  issues: ImportIssue[];
  next: string | null;
}

const newImportId = () => `imp_ui_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/**
 * Imports contacts from a CSV or JSON-lines file: a dry run or the real thing, uploaded as a stream
 * under an id chosen here, so that `GET /v1/imports/{id}` can be polled for progress while the upload
 * runs; then the report by category and the per-row errors. When a real import breaks late, it says
 * how many rows were kept and offers to upload the (fixed) file again from the first row not kept.
 */
export function ImportPanel({ api, onImported, pollMs = 250 }: ImportPanelProps) {
  const s = useStrings();
  const fileId = useId();
  const hintId = useId();
  const dryRunId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [dryRun, setDryRun] = useState(true);
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [resume, setResume] = useState<ResumePoint | null>(null);
  const live = useRef(true);
  useEffect(
    () => () => {
      live.current = false;
    },
    [],
  );
  const fileFormat = file ? importFormatOf(file) : undefined;
  const busy = run?.phase === 'running';

  const update = (id: string, patch: Partial<Run>) => {
    if (live.current) setRun((r) => (r && r.id === id ? { ...r, ...patch } : r));
  };

  /** Uploads the chosen file; with `startRow`, a real import of the rows from there on (a resume). */
  const upload = async (startRow?: number) => {
    if (!file || !fileFormat || busy) return;
    const dry = startRow === undefined ? dryRun : false;
    setError(null);
    setRun(null);
    setResume(null);
    const id = newImportId();
    const rows = await countRows(file, fileFormat);
    // Rows before startRow are skipped (a CSV's header line is row 1, its first data row 2).
    const skipped = startRow === undefined ? 0 : Math.max(0, startRow - (fileFormat === 'csv' ? 2 : 1));
    const total = Math.max(0, rows - skipped);
    setRun({ id, dryRun: dry, phase: 'running', read: 0, total, error: null, summary: null, issues: [], next: null });
    // A dry run writes nothing, so there is no progress to ask for; the answer is the whole report.
    let polling = !dry;
    const poll = async () => {
      while (polling && live.current) {
        await new Promise((r) => setTimeout(r, pollMs));
        if (!polling) break;
        try {
          const p = await api.importProgress(id);
          if (polling) update(id, { read: p.rowsRead });
        } catch {
          // Not created yet (the first chunk is still on its way) or a blip: ask again.
        }
      }
    };
    const polled = poll();
    try {
      const result = await api.importContacts(file, {
        format: fileFormat,
        dryRun: dry,
        id,
        ...(startRow === undefined ? {} : { startRow }),
      });
      polling = false;
      await polled;
      let issues = result.errors ?? [];
      let next: string | null = null;
      if (!dry) {
        const page = await api.importIssues(id);
        issues = page.errors;
        next = page.next;
      }
      update(id, { phase: 'done', read: result.rowsRead, summary: result, issues, next });
      if (!dry) onImported?.();
    } catch (err) {
      polling = false;
      await polled;
      const apiError = asApiError(err);
      const partial = (apiError.details as { import?: ImportSummary } | undefined)?.import;
      update(id, {
        phase: 'failed',
        error: apiError.message,
        ...(partial ? { read: partial.rowsRead } : {}),
      });
      if (live.current) setResume(resumePointOf(partial));
      // The rows kept are contacts now, even though the import stopped.
      if (partial && !dry && partial.rowsCommitted > 0) onImported?.();
    }
  };

  const start = (e: FormEvent) => {
    e.preventDefault();
    void upload();
  };

  const more = async () => {
    if (!run?.next) return;
    try {
      const page = await api.importIssues(run.id, { after: run.next });
      update(run.id, { issues: [...run.issues, ...page.errors], next: page.next });
    } catch (err) {
      setError(asApiError(err).message);
    }
  };

  return (
    <div className="wm-import">
      <form className="wm-import-form" onSubmit={start}>
        <div className="wm-field">
          <label htmlFor={fileId}>{s.importFile}</label>
          <input
            id={fileId}
            type="file"
            accept=".csv,.ndjson,.jsonl,text/csv,application/x-ndjson"
            aria-describedby={hintId}
            aria-invalid={file !== null && fileFormat === undefined}
            disabled={busy}
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              // A failed import's resume offer stays: the fixed file is chosen again to resume with.
              if (resume === null) setRun(null);
            }}
          />
          <p id={hintId} className={file !== null && fileFormat === undefined ? 'wm-field-error' : 'wm-hint'}>
            {file !== null && fileFormat === undefined ? s.importWrongType : s.importHint}
          </p>
        </div>
        <div className="wm-field wm-check">
          <input
            id={dryRunId}
            type="checkbox"
            checked={dryRun}
            disabled={busy}
            onChange={(e) => setDryRun(e.target.checked)}
          />
          <label htmlFor={dryRunId}>{s.dryRun}</label>
        </div>
        <button type="submit" className="wm-button wm-primary" disabled={!file || !fileFormat || busy}>
          <Upload aria-hidden size={16} /> {dryRun ? s.startDryRun : s.startImport}
        </button>
      </form>
      {error && (
        <p className="wm-field-error" role="alert">
          {error}
        </p>
      )}
      {run && (
        <ImportProgress phase={run.phase} dryRun={run.dryRun} read={run.read} total={run.total} error={run.error} />
      )}
      {resume && (
        <ImportResume point={resume} disabled={!file || !fileFormat || busy} onResume={(row) => void upload(row)} />
      )}
      {run?.summary && (
        <ImportReport summary={run.summary} issues={run.issues} onMore={run.next ? () => void more() : undefined} />
      )}
    </div>
  );
}
