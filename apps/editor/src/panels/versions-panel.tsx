import { X } from 'lucide-react';
import { useId } from 'react';
import type { JourneyVersion } from '../api/client.ts';
import { format, useStrings } from '../strings.ts';

/** Props of {@link VersionsPanel}. */
export interface VersionsPanelProps {
  versions: readonly JourneyVersion[] | undefined;
  liveVersion: number | null;
  viewing: number | undefined;
  onView: (version: number) => void;
  onClose: () => void;
}

/** The journey's published versions, newest first; each can be viewed read-only on the canvas. */
export function VersionsPanel({ versions, liveVersion, viewing, onView, onClose }: VersionsPanelProps) {
  const s = useStrings();
  const headingId = useId();
  return (
    <section className="wm-panel" aria-labelledby={headingId}>
      <header className="wm-panel-head">
        <h2 id={headingId}>{s.versions}</h2>
        <button type="button" className="wm-icon-button" aria-label={s.close} title={s.close} onClick={onClose}>
          <X aria-hidden size={16} />
        </button>
      </header>
      {versions === undefined ? (
        <p className="wm-muted">{s.loading}</p>
      ) : versions.length === 0 ? (
        <p className="wm-muted">{s.noVersions}</p>
      ) : (
        <ol className="wm-versions">
          {versions.map((v) => (
            <li key={v.id} className={viewing === v.version ? 'wm-current' : undefined}>
              <div>
                <strong>{format(s.versionN, { version: v.version })}</strong>
                {v.version === liveVersion && <span className="wm-badge">{s.liveBadge}</span>}
                <div className="wm-hint">
                  <time dateTime={v.publishedAt}>{new Date(v.publishedAt).toLocaleString()}</time> ·{' '}
                  <code title={v.hash}>{v.hash.slice(0, 8)}</code>
                </div>
              </div>
              <button type="button" className="wm-button wm-small" onClick={() => onView(v.version)}>
                {s.viewVersion}
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
