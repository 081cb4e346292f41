import { useId, useState } from 'react';
import type { ApiClient, ApiError, ApprovalHistoryPage } from '../api/client.ts';
import { useApiData } from '../api/use-api-data.ts';
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
  const {
    data: page,
    error: loadError,
    setData: setPage,
  } = useApiData(
    () => {
      void reloadKey; // a new key loads the list again from the newest decision
      return api.approvalHistory();
    },
    [api, reloadKey],
    { keepPrevious: true },
  );
  // Why the last page of older decisions failed, shown while the list it was asked for is still shown.
  const [moreFailed, setMoreFailed] = useState<{ on: ApprovalHistoryPage; error: ApiError } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const decisions = page?.decisions ?? null;
  const next = page?.next ?? null;
  const error = loadError ?? (moreFailed !== null && moreFailed.on === page ? moreFailed.error : null);

  const more = async () => {
    const base = page;
    if (base === null || base.next === null) return;
    setLoadingMore(true);
    try {
      const older = await api.approvalHistory({ before: base.next });
      // A reload meanwhile started the list again (its answer replaces the list); this page belonged to the old one.
      setPage((d) => (d === base ? { decisions: [...base.decisions, ...older.decisions], next: older.next } : d));
    } catch (e) {
      setMoreFailed({ on: base, error: asApiError(e) });
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
