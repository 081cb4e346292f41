import { ExternalLink } from 'lucide-react';
import { createContext, useContext, useId } from 'react';
import type { TemplateSummary } from '../api/client.ts';
import { useStrings } from '../strings.ts';

const TemplatesContext = createContext<readonly TemplateSummary[]>([]);
const TemplateLinkContext = createContext<((templateId: string) => string) | undefined>(undefined);

/** Provides the workspace's templates to template pickers. */
export const TemplatesProvider = TemplatesContext.Provider;
/** Where a template opens (the standalone app's `#/templates/:id`); without it no link is shown. */
export const TemplateLinkProvider = TemplateLinkContext.Provider;

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
 * Picks an email template (`x-waymark-widget: template`): a list of the saved templates, a link that
 * opens the chosen one in the designer, and the template id as text, so a template that does not exist
 * yet can be named too.
 */
export function TemplateInput({ id, value, onChange, ...aria }: TemplateInputProps) {
  const templates = useContext(TemplatesContext);
  const linkTo = useContext(TemplateLinkContext);
  const s = useStrings();
  const listId = useId();
  const selectId = useId();
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
      {templates.length > 0 && (
        <select
          id={selectId}
          aria-label={s.chooseTemplate}
          value={known ? known.id : ''}
          onChange={(e) => e.target.value !== '' && onChange(e.target.value)}
        >
          <option value="">{`${s.chooseTemplate}…`}</option>
          {templates.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      )}
      {known && (
        <p className="wm-hint">
          {`${known.name} — ${known.subject}`}
          {linkTo && (
            <>
              {' '}
              <a href={linkTo(known.id)}>
                {s.openTemplate} <ExternalLink aria-hidden size={12} />
              </a>
            </>
          )}
        </p>
      )}
    </>
  );
}
