import { createContext, useContext, useId } from 'react';
import type { TemplateSummary } from '../api/client.ts';
import { useStrings } from '../strings.ts';

const TemplatesContext = createContext<readonly TemplateSummary[]>([]);

/** Provides the workspace's templates to template pickers. */
export const TemplatesProvider = TemplatesContext.Provider;

/** Props of {@link TemplateInput}. */
export interface TemplateInputProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
  'aria-describedby'?: string | undefined;
  'aria-invalid'?: boolean | undefined;
  'aria-required'?: boolean | undefined;
}

/**
 * Picks an email template (`x-waymark-widget: template`): a text input for the template id with the
 * workspace's templates offered as suggestions, so a template that does not exist yet can be named too.
 */
export function TemplateInput({ id, value, onChange, ...aria }: TemplateInputProps) {
  const templates = useContext(TemplatesContext);
  const s = useStrings();
  const listId = useId();
  const known = templates.find((t) => t.id === value);
  return (
    <>
      <input
        id={id}
        type="text"
        list={listId}
        value={value}
        placeholder={s.templateHint}
        onChange={(e) => onChange(e.target.value)}
        {...aria}
      />
      <datalist id={listId}>
        {templates.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </datalist>
      {known && <p className="wm-hint">{`${known.name} — ${known.subject}`}</p>}
    </>
  );
}
