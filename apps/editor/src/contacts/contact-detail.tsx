import { ArrowLeft, Download, Trash2 } from 'lucide-react';
import { useId, useState } from 'react';
import type { ApiClient, ApiError } from '../api/client.ts';
import { useApiData } from '../api/use-api-data.ts';
import { asApiError } from '../app/as-api-error.ts';
import { ConfirmDialog } from '../app/confirm-dialog.tsx';
import { format, useStrings } from '../strings.ts';

/** Props of {@link ContactDetail}. */
export interface ContactDetailProps {
  api: ApiClient;
  contactId: string;
  onBack: () => void;
}

const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** Offers a JSON document as a file download. */
function download(name: string, document: unknown): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(document, null, 2)], { type: 'application/json' }));
  const a = window.document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * One contact: attributes, consents and recent events; a GDPR export as a JSON download, and erasure
 * after a confirmation that names the address.
 */
export function ContactDetail({ api, contactId, onBack }: ContactDetailProps) {
  const s = useStrings();
  const headingId = useId();
  const { data: loaded, error: loadError } = useApiData(
    () =>
      Promise.all([api.contact(contactId), api.consents(contactId), api.contactEvents(contactId, 20)]).then(
        ([contact, consents, events]) => ({ contact, consents, events }),
      ),
    [api, contactId],
  );
  // Export and erasure are offered only once the contact loaded, so their error never hides a load error.
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const error = actionError ?? loadError;
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [erasedAs, setErasedAs] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const who = loaded?.contact.email ?? contactId;

  const exportIt = async () => {
    setBusy(true);
    try {
      const doc = await api.exportContact(contactId);
      const file = `contact-${contactId.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`;
      download(file, doc);
      setNotice(format(s.exported, { file }));
      setActionError(null);
    } catch (e) {
      setActionError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const erase = async () => {
    setConfirming(false);
    setBusy(true);
    try {
      await api.eraseContact(contactId);
      setErasedAs(who);
      setActionError(null);
    } catch (e) {
      setActionError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const back = (
    <button type="button" className="wm-button" onClick={onBack}>
      <ArrowLeft aria-hidden size={16} /> {s.backToContacts}
    </button>
  );
  if (erasedAs !== null)
    return (
      <section className="wm-list-page">
        {back}
        <p className="wm-notice wm-notice-ok" role="status">
          {format(s.erased, { email: erasedAs })}
        </p>
      </section>
    );

  return (
    <section className="wm-list-page wm-contact" aria-labelledby={headingId}>
      {back}
      <h1 id={headingId}>{loaded ? (loaded.contact.email ?? s.noEmail) : contactId}</h1>
      {error && (
        <p className="wm-field-error" role="alert">
          {error.status === 401 ? s.signInNeeded : error.message}
        </p>
      )}
      {notice && (
        <p className="wm-notice wm-notice-ok" role="status">
          {notice}
        </p>
      )}
      {loaded === null && !error && <p className="wm-muted">{s.loading}</p>}
      {loaded && (
        <>
          <p className="wm-hint">
            {s.contactId}: <code>{loaded.contact.id}</code>
          </p>
          <div className="wm-row wm-wrap">
            <button type="button" className="wm-button" disabled={busy} onClick={() => void exportIt()}>
              <Download aria-hidden size={16} /> {s.exportContact}
            </button>
            <button type="button" className="wm-button wm-danger" disabled={busy} onClick={() => setConfirming(true)}>
              <Trash2 aria-hidden size={16} /> {s.eraseContact}
            </button>
          </div>
          <h2>{s.attributes}</h2>
          {Object.keys(loaded.contact.attributes).length === 0 ? (
            <p className="wm-muted">{s.noAttributes}</p>
          ) : (
            <dl className="wm-attributes">
              {Object.entries(loaded.contact.attributes).map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>{shown(v)}</dd>
                </div>
              ))}
            </dl>
          )}
          <h2>{s.consents}</h2>
          {loaded.consents.length === 0 ? (
            <p className="wm-muted">{s.noConsents}</p>
          ) : (
            <table className="wm-journeys">
              <thead>
                <tr>
                  <th scope="col">{s.topic}</th>
                  <th scope="col">{s.status}</th>
                  <th scope="col">{s.source}</th>
                  <th scope="col">{s.time}</th>
                </tr>
              </thead>
              <tbody>
                {loaded.consents.map((c) => (
                  <tr key={c.topic}>
                    <td>{c.topic}</td>
                    <td>{c.status === 'granted' ? s.consentGranted : s.consentWithdrawn}</td>
                    <td>{c.source}</td>
                    <td>
                      <time dateTime={c.at}>{new Date(c.at).toLocaleString()}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>{s.recentEvents}</h2>
          {loaded.events.length === 0 ? (
            <p className="wm-muted">{s.noEvents}</p>
          ) : (
            <table className="wm-journeys">
              <thead>
                <tr>
                  <th scope="col">{s.eventName}</th>
                  <th scope="col">{s.time}</th>
                  <th scope="col">{s.properties}</th>
                </tr>
              </thead>
              <tbody>
                {loaded.events.map((e) => (
                  <tr key={e.id}>
                    <td>{e.name}</td>
                    <td>
                      <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>
                    </td>
                    <td>
                      <code>{JSON.stringify(e.properties)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      {confirming && (
        <ConfirmDialog
          title={s.eraseContact}
          message={format(s.confirmErase, { email: who })}
          confirmLabel={s.eraseConfirm}
          cancelLabel={s.cancel}
          danger
          onConfirm={() => void erase()}
          onCancel={() => setConfirming(false)}
        />
      )}
    </section>
  );
}
