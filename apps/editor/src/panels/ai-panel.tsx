import { Sparkles } from 'lucide-react';
import { type FormEvent, useId, useState } from 'react';
import { useApi } from '../api/api-context.ts';
import { isMissingRoute, type SubjectRequest, type SubjectVariant } from '../api/client.ts';
import { asApiError } from '../app/as-api-error.ts';
import { format, useStrings } from '../strings.ts';
import { SentimentBadge } from './sentiment-badge.tsx';

/** The step types the panel appears on. */
export const aiPanelTypes: readonly string[] = ['action.sendEmail', 'ai.generateSubject'];

/** Props of {@link AiPanel}. */
export interface AiPanelProps {
  nodeType: string;
  config: Record<string, unknown>;
  onChange: (config: Record<string, unknown>) => void;
  disabled: boolean;
}

const numberOr = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/**
 * “AI subject lines” in the settings of an email step (and of an AI subject-lines step): writes subject
 * lines from a brief with `POST /v1/ai/subjects`, shows each with its sentiment (word and score, not
 * colour alone), writes new ones on request, and puts one into the email's subject — or lets the
 * AI pick at send time (`subjectFrom: "ai"`). On an AI subject-lines step it previews what the step's
 * settings write. Hidden where the editor has no API client.
 */
export function AiPanel({ nodeType, config, onChange, disabled }: AiPanelProps) {
  const api = useApi();
  const s = useStrings();
  const headingId = useId();
  const briefId = useId();
  const toneId = useId();
  const lengthId = useId();
  const countId = useId();
  const isEmail = nodeType === 'action.sendEmail';
  const [brief, setBrief] = useState('');
  const [tone, setTone] = useState('');
  const [maxLength, setMaxLength] = useState(60);
  const [count, setCount] = useState(3);
  const [variants, setVariants] = useState<SubjectVariant[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  if (!api || !aiPanelTypes.includes(nodeType)) return null;

  const request: SubjectRequest = isEmail
    ? {
        brief: brief.trim(),
        variants: count,
        maxLength,
        ...(tone.trim() === '' ? {} : { tone: tone.trim() }),
      }
    : {
        brief: typeof config.brief === 'string' ? config.brief.trim() : '',
        variants: numberOr(config.variants, 3),
        ...(typeof config.maxLength === 'number' ? { maxLength: config.maxLength } : {}),
        ...(typeof config.tone === 'string' && config.tone.trim() !== '' ? { tone: config.tone.trim() } : {}),
      };

  const generate = async (e: FormEvent) => {
    e.preventDefault();
    if (request.brief.length < 3) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      setVariants(await api.generateSubjects(request));
    } catch (err) {
      const apiError = asApiError(err);
      setError(
        isMissingRoute(err)
          ? s.aiUnavailable
          : apiError.code === 'model_unavailable' || apiError.status === 503
            ? format(s.aiNoModel, { message: apiError.message })
            : apiError.message,
      );
    } finally {
      setBusy(false);
    }
  };

  const applySubject = (subject: string) => {
    const { subjectFrom: _drop, ...rest } = config;
    onChange({ ...rest, subject });
    setNotice(format(s.subjectSet, { subject }));
  };
  const applyAiAtSend = () => {
    const { subject: _drop, ...rest } = config;
    onChange({ ...rest, subjectFrom: 'ai' });
    setNotice(s.aiAtSendOn);
  };

  return (
    <section className="wm-ai-panel" aria-labelledby={headingId}>
      <h3 id={headingId}>
        <Sparkles aria-hidden size={14} /> {s.aiSubjects}
      </h3>
      <form onSubmit={(e) => void generate(e)}>
        {isEmail ? (
          <>
            <div className="wm-field">
              <label htmlFor={briefId}>{s.aiBrief}</label>
              <textarea
                id={briefId}
                rows={2}
                maxLength={500}
                value={brief}
                disabled={disabled}
                onChange={(e) => setBrief(e.target.value)}
              />
            </div>
            <div className="wm-row wm-wrap">
              <div className="wm-field">
                <label htmlFor={toneId}>{s.aiTone}</label>
                <input
                  id={toneId}
                  type="text"
                  maxLength={40}
                  placeholder="friendly"
                  value={tone}
                  disabled={disabled}
                  onChange={(e) => setTone(e.target.value)}
                />
              </div>
              <div className="wm-field">
                <label htmlFor={lengthId}>{s.aiMaxLength}</label>
                <input
                  id={lengthId}
                  type="number"
                  min={10}
                  max={200}
                  value={maxLength}
                  disabled={disabled}
                  onChange={(e) => setMaxLength(Math.min(200, Math.max(10, Number(e.target.value) || 60)))}
                />
              </div>
              <div className="wm-field">
                <label htmlFor={countId}>{s.aiVariants}</label>
                <input
                  id={countId}
                  type="number"
                  min={1}
                  max={10}
                  value={count}
                  disabled={disabled}
                  onChange={(e) => setCount(Math.min(10, Math.max(1, Number(e.target.value) || 3)))}
                />
              </div>
            </div>
          </>
        ) : (
          <p className="wm-hint">{s.aiPreviewHint}</p>
        )}
        <button type="submit" className="wm-button" disabled={disabled || busy || request.brief.length < 3}>
          <Sparkles aria-hidden size={14} /> {busy ? s.generating : variants ? s.regenerate : s.generate}
        </button>
      </form>
      {error && (
        <p className="wm-field-error" role="alert">
          {error}
        </p>
      )}
      {variants && variants.length > 0 && (
        <ol className="wm-ai-variants">
          {variants.map((v) => (
            <li key={v.subject}>
              <span className="wm-ai-subject">{v.subject}</span>
              <SentimentBadge score={v.sentiment.score} label={v.sentiment.label} />
              {isEmail && (
                <button
                  type="button"
                  className="wm-button wm-small"
                  disabled={disabled}
                  aria-label={format(s.useSubject, { subject: v.subject })}
                  onClick={() => applySubject(v.subject)}
                >
                  {s.useAsSubject}
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
      {isEmail && (
        <p>
          <button
            type="button"
            className="wm-button wm-small"
            aria-pressed={config.subjectFrom === 'ai'}
            disabled={disabled}
            onClick={applyAiAtSend}
          >
            {s.useAiAtSend}
          </button>
        </p>
      )}
      <p className="wm-hint" role="status">
        {notice ?? (isEmail && config.subjectFrom === 'ai' ? s.aiAtSendOn : '')}
      </p>
    </section>
  );
}
