import { GitCompareArrows, X } from 'lucide-react';
import { useId } from 'react';
import type { JourneyVersion } from '../api/client.ts';
import type { VersionDiff } from '../canvas/version-diff.ts';
import { format, useStrings } from '../strings.ts';

/** The comparison of the draft with the live version; `version` null when nothing is live. */
export interface Comparison {
  version: number | null;
  diff: VersionDiff | null;
}

/** Props of {@link VersionsPanel}. */
export interface VersionsPanelProps {
  versions: readonly JourneyVersion[] | undefined;
  liveVersion: number | null;
  viewing: number | undefined;
  onView: (version: number) => void;
  onClose: () => void;
  /** The comparison being shown, or null. */
  comparison?: Comparison | null;
  onCompare?: () => void;
  onStopComparing?: () => void;
  /** A step's name, for the list of differences. */
  nodeTitle?: (id: string) => string;
  /** Shows a step of the list on the canvas. */
  onFocusNode?: (id: string) => void;
}

/**
 * The journey's published versions, newest first; each can be viewed read-only on the canvas, and the
 * draft can be compared with the live version.
 */
export function VersionsPanel(props: VersionsPanelProps) {
  const { versions, liveVersion, viewing, onView, onClose, comparison, onCompare, onStopComparing } = props;
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
      {onCompare && (
        <div className="wm-compare-actions">
          {comparison ? (
            <button type="button" className="wm-button wm-small" aria-pressed onClick={onStopComparing}>
              <GitCompareArrows aria-hidden size={14} /> {s.stopComparing}
            </button>
          ) : (
            <button type="button" className="wm-button wm-small" aria-pressed={false} onClick={onCompare}>
              <GitCompareArrows aria-hidden size={14} /> {s.compareWithLive}
            </button>
          )}
        </div>
      )}
      {comparison && <ComparisonList {...props} comparison={comparison} />}
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

/** What the draft added, removed and changed compared with the live version. */
function ComparisonList({ comparison, nodeTitle, onFocusNode }: VersionsPanelProps & { comparison: Comparison }) {
  const s = useStrings();
  const headingId = useId();
  const title = nodeTitle ?? ((id: string) => id);
  const { version, diff } = comparison;
  if (version === null)
    return (
      <p className="wm-muted" role="status">
        {s.compareNoLive}
      </p>
    );
  if (!diff) return <p className="wm-muted">{s.loading}</p>;
  const same = diff.nodes.length === 0 && diff.edges.length === 0 && !diff.settingsChanged;
  return (
    <section className="wm-comparison" aria-labelledby={headingId}>
      <h3 id={headingId}>{format(s.comparing, { version })}</h3>
      {same && <p className="wm-muted">{s.compareSame}</p>}
      {diff.nodes.length > 0 && (
        <>
          <h4>{s.stepsChanged}</h4>
          <ul className="wm-diff-list">
            {diff.nodes.map((d) => (
              <li key={d.id} className={`wm-diff-${d.kind}`} data-node={d.id} data-kind={d.kind}>
                <span className={`wm-diff-badge wm-diff-badge-${d.kind}`}>{s[`diff_${d.kind}`]}</span>{' '}
                {d.kind === 'removed' || !onFocusNode ? (
                  <span>{title(d.id)}</span>
                ) : (
                  <button type="button" className="wm-link" onClick={() => onFocusNode(d.id)}>
                    {title(d.id)}
                  </button>
                )}
                {d.kind === 'changed' && (
                  <span className="wm-hint">
                    {' '}
                    {format(s.changedFields, { fields: d.fields.map((f) => s[`field_${f}`]).join(', ') })}
                  </span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {diff.edges.length > 0 && (
        <>
          <h4>{s.connectionsChanged}</h4>
          <ul className="wm-diff-list">
            {diff.edges.map((e) => (
              <li key={`${e.kind}:${e.id}`} className={`wm-diff-${e.kind}`} data-edge={e.id} data-kind={e.kind}>
                <span className={`wm-diff-badge wm-diff-badge-${e.kind}`}>{s[`diff_${e.kind}`]}</span>{' '}
                {`${title(e.source)} (${e.port}) → ${title(e.target)}`}
              </li>
            ))}
          </ul>
        </>
      )}
      {diff.settingsChanged && <p>{s.settingsChanged}</p>}
    </section>
  );
}
