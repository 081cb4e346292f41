import { ChevronLeft, ChevronRight, Search, Upload } from 'lucide-react';
import { type FormEvent, useId, useState } from 'react';
import type { ApiClient } from '../api/client.ts';
import { useApiData } from '../api/use-api-data.ts';
import { format, useStrings } from '../strings.ts';
import { ImportPanel } from './import-panel.tsx';

/** Props of {@link ContactsPage}. */
export interface ContactsPageProps {
  api: ApiClient;
  onOpen: (contactId: string) => void;
  /** Where a contact opens, for the links' `href`. */
  contactHref: (contactId: string) => string;
  pageSize?: number;
}

/**
 * The workspace's contacts: searched by email or id, a page at a time (by id, with the cursor the API
 * returns), each opening its details; and the import panel.
 */
export function ContactsPage({ api, onOpen, contactHref, pageSize = 25 }: ContactsPageProps) {
  const s = useStrings();
  const headingId = useId();
  const searchId = useId();
  const importId = useId();
  const [typed, setTyped] = useState('');
  const [query, setQuery] = useState('');
  // Cursors of the pages before this one: going back pops one.
  const [cursors, setCursors] = useState<(string | undefined)[]>([]);
  const [after, setAfter] = useState<string | undefined>(undefined);
  const [importing, setImporting] = useState(false);
  // The page shown stays until the next one arrives, so paging and searching do not flash "Loading".
  const {
    data: page,
    error,
    reload,
  } = useApiData(
    () => api.contactPage({ ...(query ? { q: query } : {}), ...(after ? { after } : {}), limit: pageSize }),
    [api, query, after, pageSize],
    { keepPrevious: true },
  );

  const search = (e: FormEvent) => {
    e.preventDefault();
    setQuery(typed.trim());
    setCursors([]);
    setAfter(undefined);
  };

  return (
    <section className="wm-list-page" aria-labelledby={headingId}>
      <div className="wm-row">
        <h1 id={headingId}>{s.contacts}</h1>
        <span className="wm-spacer" />
        <button
          type="button"
          className="wm-button"
          aria-expanded={importing}
          aria-controls={importId}
          onClick={() => setImporting((v) => !v)}
        >
          <Upload aria-hidden size={16} /> {s.importContacts}
        </button>
      </div>
      <section id={importId} hidden={!importing} className="wm-card" aria-label={s.importContacts}>
        {importing && <ImportPanel api={api} onImported={reload} />}
      </section>
      <search>
        <form className="wm-row wm-create" onSubmit={search}>
          <label htmlFor={searchId}>{s.searchContacts}</label>
          <input id={searchId} type="search" value={typed} maxLength={320} onChange={(e) => setTyped(e.target.value)} />
          <button type="submit" className="wm-button">
            <Search aria-hidden size={16} /> {s.search}
          </button>
        </form>
      </search>
      {error && (
        <p className="wm-field-error" role="alert">
          {error.status === 401 ? s.signInNeeded : error.message}
        </p>
      )}
      {page === null && !error && <p className="wm-muted">{s.loading}</p>}
      {page?.contacts.length === 0 && (
        <p className="wm-muted">{query ? format(s.noContactsMatch, { query }) : s.noContacts}</p>
      )}
      {page && page.contacts.length > 0 && (
        <table className="wm-journeys" aria-labelledby={headingId}>
          <thead>
            <tr>
              <th scope="col">{s.email}</th>
              <th scope="col">{s.contactId}</th>
              <th scope="col">{s.updated}</th>
            </tr>
          </thead>
          <tbody>
            {page.contacts.map((c) => (
              <tr key={c.id}>
                <td>
                  <a
                    href={contactHref(c.id)}
                    onClick={(e) => {
                      e.preventDefault();
                      onOpen(c.id);
                    }}
                  >
                    {c.email ?? s.noEmail}
                  </a>
                </td>
                <td>
                  <code>{c.id}</code>
                </td>
                <td>{c.updatedAt && <time dateTime={c.updatedAt}>{new Date(c.updatedAt).toLocaleString()}</time>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && (cursors.length > 0 || page.next) && (
        <nav className="wm-row wm-pager" aria-label={s.contacts}>
          <button
            type="button"
            className="wm-button"
            disabled={cursors.length === 0}
            onClick={() => {
              setAfter(cursors[cursors.length - 1]);
              setCursors((c) => c.slice(0, -1));
            }}
          >
            <ChevronLeft aria-hidden size={16} /> {s.previousPage}
          </button>
          <span className="wm-muted">{format(s.pageN, { n: cursors.length + 1 })}</span>
          <button
            type="button"
            className="wm-button"
            disabled={!page.next}
            onClick={() => {
              if (!page.next) return;
              setCursors((c) => [...c, after]);
              setAfter(page.next);
            }}
          >
            {s.nextPage} <ChevronRight aria-hidden size={16} />
          </button>
        </nav>
      )}
    </section>
  );
}
