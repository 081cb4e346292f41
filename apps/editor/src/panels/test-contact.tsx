import { useEffect, useId, useMemo, useState } from 'react';
import { useApi } from '../api/api-context.ts';
import type { Contact } from '../api/client.ts';
import { useStrings } from '../strings.ts';
import type { JsonSchema } from './schema-form/json-schema.ts';
import { SchemaForm } from './schema-form/schema-form.tsx';

/** The contact a simulation runs: its id and attributes. */
export interface TestContact {
  id: string;
  attributes: Record<string, unknown>;
}

/** Props of {@link TestContactEditor}. */
export interface TestContactEditorProps {
  value: TestContact;
  onChange: (value: TestContact) => void;
  /** Told whether the JSON text (power users' view) currently reads as an object. */
  onValidity?: (valid: boolean) => void;
}

/** The attributes of a contact as the journey sees them: its stored attributes and its email. */
function attributesOf(c: Contact): Record<string, unknown> {
  return c.email === null ? { ...c.attributes } : { email: c.email, ...c.attributes };
}

/**
 * The simulation's test contact: pick a real contact (searched by email or id through the API) to copy
 * its attributes, then change them as keys and values; or edit them as JSON.
 */
export function TestContactEditor({ value, onChange, onValidity }: TestContactEditorProps) {
  const s = useStrings();
  const api = useApi();
  const searchId = useId();
  const pickId = useId();
  const jsonId = useId();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Contact[] | null>(null);
  const [asJson, setAsJson] = useState(false);
  const [text, setText] = useState('');
  const [badJson, setBadJson] = useState(false);

  useEffect(() => {
    if (!api) return;
    let live = true;
    const timer = setTimeout(() => {
      api.contactPage({ q: query, limit: 20 }).then(
        (page) => live && setFound(page.contacts),
        () => live && setFound([]),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, query]);

  const schema = useMemo<JsonSchema>(
    () => ({
      type: 'object',
      properties: { attributes: { type: 'object', title: s.testContactAttributes, additionalProperties: {} } },
    }),
    [s.testContactAttributes],
  );

  const showJson = (on: boolean) => {
    if (on) {
      setText(JSON.stringify(value.attributes, null, 2));
      setBadJson(false);
      onValidity?.(true);
    }
    setAsJson(on);
  };

  return (
    <fieldset className="wm-field wm-test-contact">
      <legend>{s.testContact}</legend>
      {api && (
        <div className="wm-row wm-wrap">
          <div className="wm-field">
            <label htmlFor={searchId}>{s.findContact}</label>
            <input
              id={searchId}
              type="search"
              value={query}
              placeholder={s.searchContacts}
              onChange={(e) => setQuery(e.target.value)}
            />
          </div>
          <div className="wm-field">
            <label htmlFor={pickId}>{s.pickContact}</label>
            <select
              id={pickId}
              value={found?.some((c) => c.id === value.id) ? value.id : ''}
              onChange={(e) => {
                const c = found?.find((x) => x.id === e.target.value);
                if (!c) {
                  onChange({ id: 'test-contact', attributes: value.attributes });
                  return;
                }
                const attributes = attributesOf(c);
                onChange({ id: c.id, attributes });
                if (asJson) setText(JSON.stringify(attributes, null, 2));
              }}
            >
              <option value="">{found === null ? s.loading : s.madeUpContact}</option>
              {(found ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.email ?? c.id}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
      <div className="wm-check">
        <input id={jsonId} type="checkbox" checked={asJson} onChange={(e) => showJson(e.target.checked)} />
        <label htmlFor={jsonId}>{s.editAsJson}</label>
      </div>
      {asJson ? (
        <div className="wm-field">
          <label htmlFor={`${jsonId}-text`}>{s.testContactJson}</label>
          <textarea
            id={`${jsonId}-text`}
            className="wm-code"
            rows={5}
            value={text}
            aria-invalid={badJson || undefined}
            onChange={(e) => {
              setText(e.target.value);
              try {
                const parsed = JSON.parse(e.target.value.trim() === '' ? '{}' : e.target.value);
                if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
                  throw new Error('not an object');
                setBadJson(false);
                onValidity?.(true);
                onChange({ ...value, attributes: parsed as Record<string, unknown> });
              } catch {
                setBadJson(true);
                onValidity?.(false);
              }
            }}
          />
          {badJson && <p className="wm-field-error">{s.invalidJson}</p>}
        </div>
      ) : (
        <SchemaForm
          schema={schema}
          value={{ attributes: value.attributes }}
          onChange={(v) => onChange({ ...value, attributes: (v.attributes ?? {}) as Record<string, unknown> })}
        />
      )}
    </fieldset>
  );
}
