import { Mail, Plus } from 'lucide-react';
import { type FormEvent, useId, useState } from 'react';
import type { ApiClient, ApiError } from '../api/client.ts';
import { useApiData } from '../api/use-api-data.ts';
import { useStrings } from '../strings.ts';
import { asApiError } from './as-api-error.ts';

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
  const { data: journeys, error: loadError } = useApiData(() => api.journeys(), [api]);
  const [createError, setCreateError] = useState<ApiError | null>(null);
  const error = createError ?? loadError;
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() === '') return;
    setBusy(true);
    try {
      const journey = await api.createJourney(name.trim());
      onOpen(journey.id);
    } catch (err) {
      setCreateError(asApiError(err));
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
