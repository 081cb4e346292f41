import { Check, RefreshCw, X } from 'lucide-react';
import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { ApiClient, ApiError, ApprovalKey, ApprovalResult, PendingApproval } from '../api/client.ts';
import { useApiData } from '../api/use-api-data.ts';
import { asApiError } from '../app/as-api-error.ts';
import { SentimentBadge } from '../panels/sentiment-badge.tsx';
import { format, useStrings } from '../strings.ts';
import { ApprovalEmail } from './approval-email.tsx';
import { DecisionHistory } from './decision-history.tsx';

/** Props of {@link ReviewQueue}. */
export interface ReviewQueueProps {
  api: ApiClient;
  /** Where a journey opens, for links; without it journeys are shown as text. */
  journeyHref?: ((journeyId: string) => string) | undefined;
}

type Decision = 'approved' | 'rejected';
type View = 'waiting' | 'decided';
const views: readonly View[] = ['waiting', 'decided'];

const keyOf = (a: ApprovalKey) => `${a.journeyId}\u0000${a.contactId}\u0000${a.node}`;

/** The subject lines to send when they were edited, else undefined (the generated ones go out). */
function editedSubjects(item: PendingApproval, edits: readonly string[] | undefined): string[] | undefined {
  if (!edits || !item.subjects) return undefined;
  const cleaned = edits.map((e) => e.trim()).filter((e) => e !== '');
  if (cleaned.length === 0) return undefined;
  const same = cleaned.length === item.subjects.length && cleaned.every((e, i) => e === item.subjects?.[i]);
  return same ? undefined : cleaned;
}

/**
 * The review queue: runs held at an approval step with the AI-written content they carry (subject
 * lines and their sentiment) and the email approving them sends, oldest first. A reviewer edits a subject line, approves or rejects one
 * item, or selects several and decides them together. The runtime records who and when, which the
 * Decided tab lists (newest first).
 */
export function ReviewQueue({ api, journeyHref }: ReviewQueueProps) {
  const s = useStrings();
  const headingId = useId();
  const noteId = useId();
  const {
    data,
    error: loadError,
    setData,
    reload,
  } = useApiData(() => Promise.all([api.approvals(), api.journeys().catch(() => [])]), [api], { keepPrevious: true });
  const items = data?.[0] ?? null;
  const journeys = data?.[1];
  const names = useMemo(() => new Map((journeys ?? []).map((j) => [j.id, j.name])), [journeys]);
  // Why the last decision failed outright, shown until the queue it was made on is loaded again.
  const [decideFailed, setDecideFailed] = useState<{ on: typeof data; error: ApiError } | null>(null);
  const error = loadError ?? (decideFailed !== null && decideFailed.on === data ? decideFailed.error : null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [edits, setEdits] = useState<Map<string, string[]>>(new Map());
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [failures, setFailures] = useState<string[]>([]);
  const [view, setView] = useState<View>('waiting');
  const [historyKey, setHistoryKey] = useState(0);
  const tabs = useRef(new Map<View, HTMLButtonElement>());

  // What is no longer waiting cannot stay selected.
  useEffect(() => {
    if (items === null) return;
    const waiting = new Set(items.map(keyOf));
    setSelected((sel) =>
      [...sel].every((k) => waiting.has(k)) ? sel : new Set([...sel].filter((k) => waiting.has(k))),
    );
  }, [items]);

  const journeyName = (id: string) => names.get(id) ?? id;
  const who = (i: PendingApproval) => i.email ?? i.contactId;
  const byKey = useMemo(() => new Map((items ?? []).map((i) => [keyOf(i), i])), [items]);

  const settle = (decision: Decision, results: ApprovalResult[]) => {
    const done = new Set(results.filter((r) => r.ok).map(keyOf));
    setData((d) => d && [d[0].filter((i) => !done.has(keyOf(i))), d[1]]);
    setSelected((sel) => new Set([...sel].filter((k) => !done.has(k))));
    setEdits((m) => new Map([...m].filter(([k]) => !done.has(k))));
    setNotice(
      done.size === 0 ? null : format(decision === 'approved' ? s.approvedN : s.rejectedN, { count: done.size }),
    );
    setFailures(
      results
        .filter((r) => !r.ok)
        .map((r) => {
          const item = byKey.get(keyOf(r));
          return format(s.decisionFailed, {
            contact: item ? who(item) : r.contactId,
            message: r.error?.message ?? '',
          });
        }),
    );
  };

  /** Items with edited subject lines go one by one (the bulk call carries no subjects); the rest together. */
  const decide = async (keys: string[], decision: Decision) => {
    const on = data;
    const chosen = keys.map((k) => byKey.get(k)).filter((i): i is PendingApproval => i !== undefined);
    if (chosen.length === 0) return;
    setBusy(true);
    const trimmed = note.trim();
    const base = { decision, ...(trimmed === '' ? {} : { note: trimmed }) };
    const results: ApprovalResult[] = [];
    try {
      const plain: PendingApproval[] = [];
      for (const item of chosen) {
        const subjects = decision === 'approved' ? editedSubjects(item, edits.get(keyOf(item))) : undefined;
        if (subjects === undefined) {
          plain.push(item);
          continue;
        }
        const key = { journeyId: item.journeyId, contactId: item.contactId, node: item.node };
        try {
          await api.decideApproval(key, { ...base, subjects });
          results.push({ ...key, ok: true });
        } catch (e) {
          const err = asApiError(e);
          results.push({ ...key, ok: false, error: { code: err.code, message: err.message } });
        }
      }
      if (plain.length === 1) {
        const item = plain[0] as PendingApproval;
        const key = { journeyId: item.journeyId, contactId: item.contactId, node: item.node };
        try {
          await api.decideApproval(key, base);
          results.push({ ...key, ok: true });
        } catch (e) {
          const err = asApiError(e);
          results.push({ ...key, ok: false, error: { code: err.code, message: err.message } });
        }
      } else if (plain.length > 1) results.push(...(await api.decideApprovals(plain, base)));
      settle(decision, results);
    } catch (e) {
      setDecideFailed({ on, error: asApiError(e) });
    } finally {
      setBusy(false);
    }
  };

  /** Tabs as the WAI-ARIA tabs pattern has them: arrows, Home and End move between them and select. */
  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    const at = views.indexOf(view);
    const to =
      e.key === 'ArrowRight'
        ? views[(at + 1) % views.length]
        : e.key === 'ArrowLeft'
          ? views[(at - 1 + views.length) % views.length]
          : e.key === 'Home'
            ? views[0]
            : e.key === 'End'
              ? views[views.length - 1]
              : undefined;
    if (to === undefined) return;
    e.preventDefault();
    setView(to);
    tabs.current.get(to)?.focus();
  };
  const tabId = (v: View) => `${headingId}-tab-${v}`;
  const panelId = (v: View) => `${headingId}-panel-${v}`;

  const allKeys = (items ?? []).map(keyOf);
  const allSelected = allKeys.length > 0 && allKeys.every((k) => selected.has(k));
  const toggle = (k: string, on: boolean) =>
    setSelected((sel) => {
      const next = new Set(sel);
      if (on) next.add(k);
      else next.delete(k);
      return next;
    });

  return (
    <section className="wm-list-page wm-reviews" aria-labelledby={headingId}>
      <div className="wm-row">
        <h1 id={headingId}>{s.reviewQueue}</h1>
        <span className="wm-spacer" />
        <button
          type="button"
          className="wm-button"
          disabled={busy}
          onClick={() => (view === 'waiting' ? reload() : setHistoryKey((k) => k + 1))}
        >
          <RefreshCw aria-hidden size={16} /> {s.refresh}
        </button>
      </div>
      <div role="tablist" aria-label={s.reviewViews} className="wm-tabs">
        {views.map((v) => (
          <button
            key={v}
            ref={(el) => {
              if (el) tabs.current.set(v, el);
              else tabs.current.delete(v);
            }}
            type="button"
            role="tab"
            id={tabId(v)}
            aria-controls={panelId(v)}
            aria-selected={view === v}
            tabIndex={view === v ? 0 : -1}
            className="wm-tab"
            onClick={() => setView(v)}
            onKeyDown={onTabKey}
          >
            {v === 'waiting' ? s.waitingTab : s.decidedTab}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={panelId('decided')} aria-labelledby={tabId('decided')} hidden={view !== 'decided'}>
        {view === 'decided' && (
          <DecisionHistory api={api} journeyName={journeyName} journeyHref={journeyHref} reloadKey={historyKey} />
        )}
      </div>
      <div role="tabpanel" id={panelId('waiting')} aria-labelledby={tabId('waiting')} hidden={view !== 'waiting'}>
        {error && (
          <p className="wm-field-error" role="alert">
            {error.status === 401 ? s.signInNeeded : error.message}
          </p>
        )}
        <div role="status" className="wm-review-status">
          {notice && <p className="wm-notice wm-notice-ok">{notice}</p>}
        </div>
        {failures.length > 0 && (
          <ul className="wm-field-error" role="alert">
            {failures.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        )}
        {items === null && !error && <p className="wm-muted">{s.loading}</p>}
        {items?.length === 0 && <p className="wm-muted">{s.noApprovals}</p>}
        {items && items.length > 0 && (
          <>
            <div className="wm-row wm-wrap wm-bulk-bar">
              <label className="wm-check">
                <input
                  type="checkbox"
                  checked={allSelected}
                  onChange={(e) => setSelected(e.target.checked ? new Set(allKeys) : new Set())}
                />
                {s.selectAll}
              </label>
              <label htmlFor={noteId}>{s.decisionNote}</label>
              <input id={noteId} type="text" value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
              <button
                type="button"
                className="wm-button wm-primary"
                disabled={busy || selected.size === 0}
                onClick={() => void decide([...selected], 'approved')}
              >
                <Check aria-hidden size={16} /> {format(s.approveSelected, { count: selected.size })}
              </button>
              <button
                type="button"
                className="wm-button wm-danger"
                disabled={busy || selected.size === 0}
                onClick={() => void decide([...selected], 'rejected')}
              >
                <X aria-hidden size={16} /> {format(s.rejectSelected, { count: selected.size })}
              </button>
            </div>
            <ul className="wm-review-list">
              {items.map((item) => {
                const k = keyOf(item);
                const titleId = `${headingId}-${allKeys.indexOf(k)}`;
                const current = edits.get(k) ?? item.subjects ?? [];
                const journey = journeyName(item.journeyId);
                return (
                  <li key={k} className="wm-card wm-review" aria-labelledby={titleId}>
                    <div className="wm-row">
                      <input
                        type="checkbox"
                        aria-label={format(s.selectApproval, { contact: who(item), journey })}
                        checked={selected.has(k)}
                        onChange={(e) => toggle(k, e.target.checked)}
                      />
                      <h2 id={titleId}>{who(item)}</h2>
                    </div>
                    <dl className="wm-attributes">
                      <div>
                        <dt>{s.journey}</dt>
                        <dd>{journeyHref ? <a href={journeyHref(item.journeyId)}>{journey}</a> : journey}</dd>
                      </div>
                      <div>
                        <dt>{s.contact}</dt>
                        <dd>
                          <code>{item.contactId}</code>
                        </dd>
                      </div>
                      <div>
                        <dt>{s.node}</dt>
                        <dd>
                          <code>{item.node}</code>
                        </dd>
                      </div>
                      <div>
                        <dt>{s.waitingSince}</dt>
                        <dd>
                          <time dateTime={item.waitingSince}>{new Date(item.waitingSince).toLocaleString()}</time>
                        </dd>
                      </div>
                    </dl>
                    {item.subjects && item.subjects.length > 0 ? (
                      <fieldset className="wm-variants">
                        <legend>{s.subjectVariants}</legend>
                        {current.map((subject, n) => {
                          const id = `${titleId}-v${n}`;
                          const score = item.scores?.[n];
                          const changed = subject !== item.subjects?.[n];
                          return (
                            // biome-ignore lint/suspicious/noArrayIndexKey: variants are positional
                            <div className="wm-variant" key={n}>
                              <label htmlFor={id}>
                                {format(s.variantN, { n: n + 1 })}
                                {changed && <span className="wm-badge">{s.edited}</span>}
                              </label>
                              <div className="wm-row">
                                <input
                                  id={id}
                                  type="text"
                                  value={subject}
                                  maxLength={300}
                                  onChange={(e) =>
                                    setEdits((m) => {
                                      const next = new Map(m);
                                      const list = [...current];
                                      list[n] = e.target.value;
                                      next.set(k, list);
                                      return next;
                                    })
                                  }
                                />
                                {score !== undefined && <SentimentBadge score={score} />}
                              </div>
                            </div>
                          );
                        })}
                      </fieldset>
                    ) : (
                      <p className="wm-muted">{s.noContent}</p>
                    )}
                    <ApprovalEmail
                      api={api}
                      item={{ journeyId: item.journeyId, contactId: item.contactId, node: item.node }}
                      contact={who(item)}
                    />
                    <div className="wm-row">
                      <button
                        type="button"
                        className="wm-button wm-primary"
                        aria-label={`${s.approve} ${who(item)}`}
                        disabled={busy}
                        onClick={() => void decide([k], 'approved')}
                      >
                        <Check aria-hidden size={16} /> {s.approve}
                      </button>
                      <button
                        type="button"
                        className="wm-button wm-danger"
                        aria-label={`${s.reject} ${who(item)}`}
                        disabled={busy}
                        onClick={() => void decide([k], 'rejected')}
                      >
                        <X aria-hidden size={16} /> {s.reject}
                      </button>
                    </div>
                  </li>
                );
              })}
            </ul>
          </>
        )}
      </div>
    </section>
  );
}
