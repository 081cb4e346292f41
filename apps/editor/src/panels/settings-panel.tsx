import type { JourneySettings, Problem } from '@waymark/nodes';
import { useId, useMemo } from 'react';
import { useStrings } from '../strings.ts';
import { type FieldProblem, SchemaForm } from './schema-form/schema-form.tsx';
import { journeySettingsSchema } from './settings-schema.ts';

/** Props of {@link SettingsPanel}. */
export interface SettingsPanelProps {
  settings: JourneySettings;
  problems: readonly Problem[];
  onChange: (settings: JourneySettings) => void;
  readOnly: boolean;
}

/** Journey-wide settings (time zone, re-entry, exit goals, quiet hours, frequency cap), shown when no step is selected. */
export function SettingsPanel({ settings, problems, onChange, readOnly }: SettingsPanelProps) {
  const s = useStrings();
  const headingId = useId();
  const schema = journeySettingsSchema();
  const fieldProblems = useMemo<FieldProblem[]>(
    () =>
      problems.filter((p) => p.path?.[0] === 'settings').map((p) => ({ path: p.path?.slice(1), message: p.message })),
    [problems],
  );
  return (
    <section className="wm-panel" aria-labelledby={headingId}>
      <header className="wm-panel-head">
        <h2 id={headingId}>{s.settings}</h2>
      </header>
      <SchemaForm
        schema={schema}
        value={settings as Record<string, unknown>}
        problems={fieldProblems}
        disabled={readOnly}
        onChange={(v) => onChange(v as JourneySettings)}
      />
    </section>
  );
}
