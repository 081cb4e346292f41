import { Braces } from 'lucide-react';
import { createContext, type RefObject, useContext, useId, useState } from 'react';
import { format, useStrings } from '../../strings.ts';
import { attributesOf, mergeTag } from '../../templates/merge-tags.ts';
import { hasWidget, type JsonSchema } from './json-schema.ts';

const AttributesContext = createContext<readonly string[]>(attributesOf([]));

/** Provides the contact attribute names the merge-tag picker offers (the workspace's, when known). */
export const MergeTagAttributesProvider = AttributesContext.Provider;

/**
 * True when a text field takes merge tags: `x-waymark-widget: merge-text` (long text such as a webhook
 * body) or `x-waymark-merge-tags: true` (a single line such as an email subject).
 */
export function acceptsMergeTags(schema: JsonSchema, root: JsonSchema): boolean {
  return hasWidget(schema, root, 'merge-text') || schema['x-waymark-merge-tags'] === true;
}

/** The text with `tag` put in place of the characters from `start` to `end` (the selection). */
export function insertAt(text: string, tag: string, start: number, end: number): string {
  const a = Math.max(0, Math.min(start, text.length));
  const b = Math.max(a, Math.min(end, text.length));
  return text.slice(0, a) + tag + text.slice(b);
}

const attributeName = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Props of {@link MergeTagButton}. */
export interface MergeTagButtonProps {
  /** The field the tag goes into, at its cursor (or in place of its selection). */
  target: RefObject<HTMLInputElement | HTMLTextAreaElement | null>;
  value: string;
  onChange: (value: string) => void;
  /** The field's label, for the button's accessible name. */
  fieldLabel: string;
}

/**
 * A button beside a text field that inserts `{{contact.<attribute>}}` at the cursor: the workspace's
 * known attributes to choose from, any other attribute by name, and an optional fallback.
 */
export function MergeTagButton({ target, value, onChange, fieldLabel }: MergeTagButtonProps) {
  const s = useStrings();
  const attributes = useContext(AttributesContext);
  const [open, setOpen] = useState(false);
  const [attribute, setAttribute] = useState(attributes[0] ?? 'email');
  const [other, setOther] = useState('');
  const [fallback, setFallback] = useState('');
  const id = useId();
  const otherChosen = attribute === '';
  const name = otherChosen ? other.trim() : attribute;
  const valid = attributeName.test(name);

  const insert = () => {
    if (!valid) return;
    const el = target.current;
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? start;
    const tag = mergeTag(name, fallback);
    onChange(insertAt(value, tag, start, end));
    setOpen(false);
    // Back to the field, with the cursor after the tag, once React has written the new value.
    setTimeout(() => {
      const field = target.current;
      if (!field) return;
      field.focus();
      const at = Math.min(start, value.length) + tag.length;
      field.setSelectionRange(at, at);
    }, 0);
  };

  return (
    <div className="wm-merge-tag">
      <button
        type="button"
        className="wm-button wm-small"
        aria-expanded={open}
        aria-controls={`${id}-picker`}
        aria-label={format(s.insertMergeTagInto, { field: fieldLabel })}
        title={s.insertMergeTag}
        onClick={() => setOpen(!open)}
      >
        <Braces aria-hidden size={14} /> {s.mergeTag}
      </button>
      {open && (
        <fieldset
          id={`${id}-picker`}
          className="wm-merge-tag-picker"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              setOpen(false);
              target.current?.focus();
            }
          }}
        >
          <legend>{s.insertMergeTag}</legend>
          <label htmlFor={`${id}-attr`}>{s.attribute}</label>
          <select id={`${id}-attr`} value={attribute} onChange={(e) => setAttribute(e.target.value)}>
            {attributes.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
            <option value="">{`${s.otherAttribute}…`}</option>
          </select>
          {otherChosen && (
            <>
              <label htmlFor={`${id}-other`}>{s.otherAttribute}</label>
              <input
                id={`${id}-other`}
                type="text"
                value={other}
                placeholder="plan"
                aria-invalid={other !== '' && !valid}
                onChange={(e) => setOther(e.target.value)}
              />
            </>
          )}
          <label htmlFor={`${id}-fallback`}>{s.mergeTagFallback}</label>
          <input id={`${id}-fallback`} type="text" value={fallback} onChange={(e) => setFallback(e.target.value)} />
          <button type="button" className="wm-button wm-small wm-primary" disabled={!valid} onClick={insert}>
            {s.insertMergeTag}
          </button>
        </fieldset>
      )}
    </div>
  );
}
