import { ArrowLeft, Plus, Trash2 } from 'lucide-react';
import { type FormEvent, useId, useState } from 'react';
import type { ApiClient, ApiError, TemplateSummary } from '../api/client.ts';
import { useApiData } from '../api/use-api-data.ts';
import { asApiError } from '../app/as-api-error.ts';
import { format, useStrings } from '../strings.ts';
import { starterMjml } from './merge-tags.ts';

/** Props of {@link TemplateLibrary}. */
export interface TemplateLibraryProps {
  api: ApiClient;
  onOpen: (templateId: string) => void;
  onBack?: (() => void) | undefined;
  /** Asks before deleting; `window.confirm` by default. */
  confirm?: ((message: string) => boolean) | undefined;
}

/** The workspace's email templates: open, create (with a starter design) and delete. */
export function TemplateLibrary({ api, onOpen, onBack, confirm = (m) => window.confirm(m) }: TemplateLibraryProps) {
  const s = useStrings();
  const nameId = useId();
  const headingId = useId();
  const { data: templates, error: loadError, setData: setTemplates } = useApiData(() => api.templates(), [api]);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const error = actionError ?? loadError;
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const n = name.trim();
    if (n === '') return;
    setBusy(true);
    try {
      const t = await api.createTemplate({ name: n, subject: n, mjml: starterMjml });
      onOpen(t.id);
    } catch (err) {
      setActionError(asApiError(err));
      setBusy(false);
    }
  };

  const remove = async (t: TemplateSummary) => {
    if (!confirm(format(s.confirmDelete, { name: t.name }))) return;
    try {
      await api.deleteTemplate(t.id);
      setTemplates((list) => list?.filter((x) => x.id !== t.id) ?? null);
    } catch (err) {
      setActionError(asApiError(err));
    }
  };

  return (
    <section className="wm-list-page" aria-labelledby={headingId}>
      {onBack && (
        <button type="button" className="wm-button" onClick={onBack}>
          <ArrowLeft aria-hidden size={16} /> {s.backToJourneys}
        </button>
      )}
      <h1 id={headingId}>{s.templates}</h1>
      <form className="wm-row wm-create" onSubmit={(e) => void create(e)}>
        <label htmlFor={nameId}>{s.newTemplateName}</label>
        <input
          id={nameId}
          type="text"
          value={name}
          maxLength={200}
          placeholder="Cart reminder"
          onChange={(e) => setName(e.target.value)}
        />
        <button type="submit" className="wm-button wm-primary" disabled={busy || name.trim() === ''}>
          <Plus aria-hidden size={16} /> {s.newTemplate}
        </button>
      </form>
      {error && (
        <p className="wm-field-error" role="alert">
          {error.status === 401 ? s.signInNeeded : error.message}
        </p>
      )}
      {templates === null && !error && <p className="wm-muted">{s.loading}</p>}
      {templates?.length === 0 && <p className="wm-muted">{s.noTemplates}</p>}
      {templates && templates.length > 0 && (
        <table className="wm-journeys">
          <thead>
            <tr>
              <th scope="col">{s.name}</th>
              <th scope="col">{s.subject}</th>
              <th scope="col">{s.updated}</th>
              <th scope="col">
                <span className="wm-visually-hidden">{s.deleteTemplate.replace(' {name}', '')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {templates.map((t) => (
              <tr key={t.id}>
                <td>
                  <a
                    href={`#/templates/${encodeURIComponent(t.id)}`}
                    onClick={(e) => {
                      e.preventDefault();
                      onOpen(t.id);
                    }}
                  >
                    {t.name}
                  </a>
                </td>
                <td>{t.subject}</td>
                <td>
                  <time dateTime={t.updatedAt}>{new Date(t.updatedAt).toLocaleString()}</time>
                </td>
                <td>
                  <button
                    type="button"
                    className="wm-button wm-icon-button"
                    aria-label={format(s.deleteTemplate, { name: t.name })}
                    onClick={() => void remove(t)}
                  >
                    <Trash2 aria-hidden size={16} />
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
