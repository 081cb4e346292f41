import { Mail, Plus } from 'lucide-react';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { type ApiClient, ApiError, type JourneySummary } from '../api/client.ts';
import { useStrings } from '../strings.ts';

/** Props of {@link JourneyList}. */
export interface JourneyListProps {
  api: ApiClient;
  onOpen: (journeyId: string) => void;
  /** Where the template library is; without it the link is not shown (e.g. embedded). */
  templatesHref?: string | undefined;
}

/** The workspace's journeys, newest first, and a form to create one. */
export function JourneyList({ api, onOpen, templatesHref }: JourneyListProps) {
  const s = useStrings();
  const nameId = useId();
  const headingId = useId();
  const [journeys, setJourneys] = useState<JourneySummary[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api.journeys().then(
      (list) => live && setJourneys(list),
      (e: unknown) => live && setError(e instanceof ApiError ? e : new ApiError(0, 'internal', String(e))),
    );
    return () => {
      live = false;
    };
  }, [api]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() === '') return;
    setBusy(true);
    try {
      const journey = await api.createJourney(name.trim());
      onOpen(journey.id);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
      setBusy(false);
    }
  };

  if (error?.status === 401)
    return (
      <p className="wm-page-message wm-field-error" role="alert">
        {s.signInNeeded}
      </p>
    );
  return (
    <section className="wm-list-page" aria-labelledby={headingId}>
      <h1 id={headingId}>{s.journeys}</h1>
      {templatesHref && (
        <p>
          <a href={templatesHref}>
            <Mail aria-hidden size={16} /> {s.templates}
          </a>
        </p>
      )}
      <form className="wm-row wm-create" onSubmit={(e) => void create(e)}>
        <label htmlFor={nameId}>{s.newJourneyName}</label>
        <input
          id={nameId}
          type="text"
          value={name}
          maxLength={200}
          placeholder="Cart abandonment"
          onChange={(e) => setName(e.target.value)}
        />
        <button type="submit" className="wm-button wm-primary" disabled={busy || name.trim() === ''}>
          <Plus aria-hidden size={16} /> {s.newJourney}
        </button>
      </form>
      {error && (
        <p className="wm-field-error" role="alert">
          {error.message}
        </p>
      )}
      {journeys === null && !error && <p className="wm-muted">{s.loading}</p>}
      {journeys?.length === 0 && <p className="wm-muted">{s.noJourneys}</p>}
      {journeys && journeys.length > 0 && (
        <table className="wm-journeys">
          <thead>
            <tr>
              <th scope="col">{s.name}</th>
              <th scope="col">{s.status}</th>
              <th scope="col">{s.live}</th>
              <th scope="col">{s.updated}</th>
            </tr>
          </thead>
          <tbody>
            {journeys.map((j) => (
              <tr key={j.id}>
                <td>
                  <a
                    href={`#/journeys/${encodeURIComponent(j.id)}`}
                    onClick={(e) => {
                      e.preventDefault();
                      onOpen(j.id);
                    }}
                  >
                    {j.name}
                  </a>
                </td>
                <td>{j.status}</td>
                <td>{j.liveVersion ?? '—'}</td>
                <td>
                  <time dateTime={j.updatedAt}>{new Date(j.updatedAt).toLocaleString()}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
