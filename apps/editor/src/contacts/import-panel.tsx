import { Upload } from 'lucide-react';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { ApiClient, ImportIssue, ImportSummary } from '../api/client.ts';
import { asApiError } from '../app/as-api-error.ts';
import { useStrings } from '../strings.ts';
import { countRows, importFormatOf } from './count-rows.ts';
import { type ImportPhase, ImportProgress, ImportReport } from './import-report.tsx';

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
 * runs; then the report by category and the per-row errors.
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

  const start = async (e: FormEvent) => {
    e.preventDefault();
    if (!file || !fileFormat || busy) return;
    setError(null);
    setRun(null);
    const id = newImportId();
    const total = await countRows(file, fileFormat);
    setRun({ id, dryRun, phase: 'running', read: 0, total, error: null, summary: null, issues: [], next: null });
    // A dry run writes nothing, so there is no progress to ask for; the answer is the whole report.
    let polling = !dryRun;
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
      const result = await api.importContacts(file, { format: fileFormat, dryRun, id });
      polling = false;
      await polled;
      let issues = result.errors ?? [];
      let next: string | null = null;
      if (!dryRun) {
        const page = await api.importIssues(id);
        issues = page.errors;
        next = page.next;
      }
      update(id, { phase: 'done', read: result.rowsRead, summary: result, issues, next });
      if (!dryRun) onImported?.();
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
    }
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
      <form className="wm-import-form" onSubmit={(e) => void start(e)}>
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
              setRun(null);
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
      {run?.summary && (
        <ImportReport summary={run.summary} issues={run.issues} onMore={run.next ? () => void more() : undefined} />
      )}
    </div>
  );
}
