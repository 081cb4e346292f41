import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { ApiClient, ApiError, ApprovalHistoryEntry } from '../api/client.ts';
import { asApiError } from '../app/as-api-error.ts';
import { useStrings } from '../strings.ts';
import { describeDecider } from './decided-by.ts';

/** Props of {@link DecisionHistory}. */
export interface DecisionHistoryProps {
  api: ApiClient;
  journeyName: (journeyId: string) => string;
  journeyHref?: ((journeyId: string) => string) | undefined;
  /** Changes when the list should load again from the newest decision (the queue's Refresh). */
  reloadKey?: number;
}

/**
 * Decisions already made, newest first, from `GET /v1/approvals/history`: journey, contact, step,
 * the decision, who made it (a caller-named reviewer marked as unverified), when, the note and the
 * subject lines, with older pages on request.
 */
export function DecisionHistory({ api, journeyName, journeyHref, reloadKey = 0 }: DecisionHistoryProps) {
  const s = useStrings();
  const captionId = useId();
  const [decisions, setDecisions] = useState<ApprovalHistoryEntry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  // Each load is numbered: an answer to an older one (or one arriving after leaving the screen) is dropped.
  const generation = useRef(0);
  const load = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const page = await api.approvalHistory();
      if (mine !== generation.current) return;
      setDecisions(page.decisions);
      setNext(page.next);
      setError(null);
    } catch (e) {
      if (mine === generation.current) setError(asApiError(e));
    }
  }, [api]);
  useEffect(() => {
    void reloadKey;
    void load();
    return () => {
      generation.current++;
    };
  }, [load, reloadKey]);

  const more = async () => {
    if (next === null) return;
    setLoadingMore(true);
    const current = generation.current;
    try {
      const page = await api.approvalHistory({ before: next });
      // A reload meanwhile started the list again; this page belonged to the old one.
      if (current !== generation.current) return;
      setDecisions((d) => [...(d ?? []), ...page.decisions]);
      setNext(page.next);
      setError(null);
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <div className="wm-decisions">
      {error && (
        <p className="wm-field-error" role="alert">
          {error.status === 401 ? s.signInNeeded : error.message}
        </p>
      )}
      {decisions === null && !error && <p className="wm-muted">{s.loading}</p>}
      {decisions?.length === 0 && <p className="wm-muted">{s.noDecisions}</p>}
      {decisions && decisions.length > 0 && (
        <table className="wm-journeys wm-decision-table" aria-labelledby={captionId}>
          <caption id={captionId} className="wm-visually-hidden">
            {s.recentDecisions}
          </caption>
          <thead>
            <tr>
              <th scope="col">{s.decidedAt}</th>
              <th scope="col">{s.journey}</th>
              <th scope="col">{s.contact}</th>
              <th scope="col">{s.node}</th>
              <th scope="col">{s.decision}</th>
              <th scope="col">{s.decidedBy}</th>
              <th scope="col">{s.decisionDetails}</th>
            </tr>
          </thead>
          <tbody>
            {decisions.map((d) => {
              const { who, label } = describeDecider(d.decidedBy, s);
              const journey = journeyName(d.journeyId);
              return (
                <tr key={`${d.runId}\u0000${d.node}\u0000${d.decidedAt}`} className={`wm-decision-${d.decision}`}>
                  <td>
                    <time dateTime={d.decidedAt}>{new Date(d.decidedAt).toLocaleString()}</time>
                  </td>
                  <td>{journeyHref ? <a href={journeyHref(d.journeyId)}>{journey}</a> : journey}</td>
                  <td>
                    <code>{d.contactId}</code>
                  </td>
                  <td>
                    <code>{d.node}</code>
                  </td>
                  <td>
                    <span className={`wm-badge wm-decision-badge wm-decision-badge-${d.decision}`}>
                      {d.decision === 'approved' ? s.decisionApproved : s.decisionRejected}
                    </span>
                  </td>
                  <td className="wm-decider">
                    {who}
                    {label !== null && <span className="wm-hint wm-reviewer-label">{label}</span>}
                  </td>
                  <td>
                    {d.note !== null && (
                      <p className="wm-decision-note">
                        <span className="wm-muted">{s.decisionNoteLabel}</span> {d.note}
                      </p>
                    )}
                    {d.subjects !== null && d.subjects.length > 0 && (
                      <div className="wm-decision-subjects">
                        <span className="wm-muted">{s.subjectLines}</span>
                        {d.edited && <span className="wm-badge">{s.edited}</span>}
                        <ul>
                          {d.subjects.map((subject, n) => (
                            // biome-ignore lint/suspicious/noArrayIndexKey: subject lines are positional
                            <li key={n}>{subject}</li>
                          ))}
                        </ul>
                      </div>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {next !== null && (
        <button type="button" className="wm-button" disabled={loadingMore} onClick={() => void more()}>
          {s.olderDecisions}
        </button>
      )}
    </div>
  );
}
