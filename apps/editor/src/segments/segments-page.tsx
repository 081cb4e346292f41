import type { Condition } from '@waymark/nodes';
import { Pencil, Plus, Trash2 } from 'lucide-react';
import { type FormEvent, useEffect, useId, useState } from 'react';
import type { ApiClient, ApiError, Segment, SegmentPreview } from '../api/client.ts';
import { useApiData } from '../api/use-api-data.ts';
import { asApiError } from '../app/as-api-error.ts';
import { ConfirmDialog } from '../app/confirm-dialog.tsx';
import { ConditionBuilder } from '../panels/schema-form/condition-builder.tsx';
import { format, useStrings } from '../strings.ts';
import { segmentIdFor } from './segment-id.ts';

/** Props of {@link SegmentsPage}. */
export interface SegmentsPageProps {
  api: ApiClient;
}

type Editing = { segment: Segment | null; name: string; condition: Condition | undefined };

/**
 * The workspace's segments: the list, and a form that creates or edits one with the condition builder
 * (contact attributes and events), showing how many contacts match as the condition changes.
 */
export function SegmentsPage({ api }: SegmentsPageProps) {
  const s = useStrings();
  const headingId = useId();
  const { data: segments, error: loadError, setData: setSegments } = useApiData(() => api.segments(), [api]);
  const [deleteError, setDeleteError] = useState<ApiError | null>(null);
  const error = deleteError ?? loadError;
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<Segment | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const remove = async (g: Segment) => {
    setDeleting(null);
    try {
      await api.deleteSegment(g.id);
      setSegments((list) => list?.filter((x) => x.id !== g.id) ?? null);
      setNotice(format(s.segmentDeleted, { name: g.name }));
    } catch (err) {
      setDeleteError(asApiError(err));
    }
  };

  if (editing)
    return (
      <SegmentForm
        api={api}
        editing={editing}
        taken={(segments ?? []).map((g) => g.id)}
        onCancel={() => setEditing(null)}
        onSaved={(saved) => {
          setSegments((list) => [...(list ?? []).filter((g) => g.id !== saved.id), saved]);
          setNotice(format(s.segmentSaved, { name: saved.name }));
          setEditing(null);
        }}
      />
    );

  const sorted = [...(segments ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <section className="wm-list-page" aria-labelledby={headingId}>
      <h1 id={headingId}>{s.segments}</h1>
      <p className="wm-hint">{s.segmentsHint}</p>
      <div className="wm-row wm-create">
        <button
          type="button"
          className="wm-button wm-primary"
          onClick={() => {
            setNotice(null);
            setEditing({ segment: null, name: '', condition: undefined });
          }}
        >
          <Plus aria-hidden size={16} /> {s.newSegment}
        </button>
      </div>
      {notice && (
        <p className="wm-ok" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p className="wm-field-error" role="alert">
          {error.status === 401 ? s.signInNeeded : error.message}
        </p>
      )}
      {segments === null && !error && <p className="wm-muted">{s.loading}</p>}
      {segments?.length === 0 && <p className="wm-muted">{s.noSegments}</p>}
      {sorted.length > 0 && (
        <table className="wm-journeys">
          <thead>
            <tr>
              <th scope="col">{s.name}</th>
              <th scope="col">{s.segmentId}</th>
              <th scope="col">{s.updated}</th>
              <th scope="col">
                <span className="wm-visually-hidden">{s.actions}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((g) => (
              <tr key={g.id}>
                <td>{g.name}</td>
                <td>
                  <code>{g.id}</code>
                </td>
                <td>
                  <time dateTime={g.updatedAt}>{new Date(g.updatedAt).toLocaleString()}</time>
                </td>
                <td className="wm-row">
                  <button
                    type="button"
                    className="wm-button wm-icon-button"
                    aria-label={format(s.editSegment, { name: g.name })}
                    title={format(s.editSegment, { name: g.name })}
                    onClick={() => {
                      setNotice(null);
                      setEditing({ segment: g, name: g.name, condition: g.condition });
                    }}
                  >
                    <Pencil aria-hidden size={16} />
                  </button>
                  <button
                    type="button"
                    className="wm-button wm-icon-button"
                    aria-label={format(s.deleteSegment, { name: g.name })}
                    title={format(s.deleteSegment, { name: g.name })}
                    onClick={() => setDeleting(g)}
                  >
                    <Trash2 aria-hidden size={16} />
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {deleting && (
        <ConfirmDialog
          title={format(s.deleteSegment, { name: deleting.name })}
          message={format(s.confirmDeleteSegment, { name: deleting.name })}
          confirmLabel={s.delete}
          cancelLabel={s.cancel}
          danger
          onConfirm={() => void remove(deleting)}
          onCancel={() => setDeleting(null)}
        />
      )}
    </section>
  );
}

/** How many contacts a condition matches, asked again a moment after each change. */
function useSegmentPreview(api: ApiClient, condition: Condition | undefined) {
  const [preview, setPreview] = useState<{ result: SegmentPreview } | { error: string } | null>(null);
  const key = condition === undefined ? '' : JSON.stringify(condition);
  useEffect(() => {
    if (key === '') {
      setPreview(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      api.previewSegment(JSON.parse(key) as Condition).then(
        (result) => live && setPreview({ result }),
        (e: unknown) => live && setPreview({ error: asApiError(e).message }),
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, key]);
  return preview;
}

function SegmentForm(props: {
  api: ApiClient;
  editing: Editing;
  taken: readonly string[];
  onCancel: () => void;
  onSaved: (segment: Segment) => void;
}) {
  const { api, editing, taken, onCancel, onSaved } = props;
  const s = useStrings();
  const nameId = useId();
  const headingId = useId();
  const [name, setName] = useState(editing.name);
  const [condition, setCondition] = useState<Condition | undefined>(editing.condition);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const preview = useSegmentPreview(api, condition);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() === '' || condition === undefined) return;
    setBusy(true);
    setError(null);
    try {
      const saved = editing.segment
        ? await api.saveSegment(editing.segment.id, { name: name.trim(), condition })
        : await api.createSegment({ id: segmentIdFor(name, taken), name: name.trim(), condition });
      onSaved(saved);
    } catch (err) {
      setError(asApiError(err).message);
      setBusy(false);
    }
  };

  return (
    <section className="wm-list-page wm-segment-form" aria-labelledby={headingId}>
      <h1 id={headingId}>{editing.segment ? format(s.editSegment, { name: editing.segment.name }) : s.newSegment}</h1>
      <form onSubmit={(e) => void save(e)}>
        <div className="wm-field">
          <label htmlFor={nameId}>{s.segmentName}</label>
          <input
            id={nameId}
            type="text"
            value={name}
            maxLength={200}
            placeholder="Pro customers"
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <ConditionBuilder label={s.segmentCondition} value={condition} onChange={setCondition} scope="contact" />
        <section className="wm-segment-preview" aria-label={s.segmentPreview} aria-live="polite">
          <h2>{s.segmentPreview}</h2>
          {preview === null ? (
            <p className="wm-muted">{s.segmentPreviewEmpty}</p>
          ) : 'error' in preview ? (
            <p className="wm-muted">{format(s.segmentPreviewFailed, { message: preview.error })}</p>
          ) : (
            <>
              <p className="wm-segment-count" data-count={preview.result.count}>
                {format(s.segmentPreviewCount, { count: preview.result.count, scanned: preview.result.scanned })}
              </p>
              {preview.result.sample.length > 0 && (
                <ul className="wm-segment-sample" aria-label={s.segmentSample}>
                  {preview.result.sample.map((c) => (
                    <li key={c.id}>{c.email ?? c.id}</li>
                  ))}
                </ul>
              )}
            </>
          )}
        </section>
        {error && (
          <p className="wm-field-error" role="alert">
            {error}
          </p>
        )}
        <div className="wm-row">
          <button
            type="submit"
            className="wm-button wm-primary"
            disabled={busy || name.trim() === '' || condition === undefined}
          >
            {s.saveSegment}
          </button>
          <button type="button" className="wm-button" onClick={onCancel}>
            {s.cancel}
          </button>
        </div>
      </form>
    </section>
  );
}
