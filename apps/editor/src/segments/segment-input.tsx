import { ExternalLink } from 'lucide-react';
import { createContext, useContext } from 'react';
import type { Segment } from '../api/client.ts';
import { format, useStrings } from '../strings.ts';

const SegmentsContext = createContext<readonly Pick<Segment, 'id' | 'name'>[] | null>(null);
const SegmentsHrefContext = createContext<string | undefined>(undefined);

/** Provides the workspace's segments to segment pickers; null while they are not known. */
export const SegmentsProvider = SegmentsContext.Provider;
/** Where segments are managed (the standalone app's `#/segments`); without it no link is shown. */
export const SegmentsHrefProvider = SegmentsHrefContext.Provider;

/** Props of {@link SegmentInput}. */
export interface SegmentInputProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
  'aria-describedby'?: string | undefined;
  'aria-invalid'?: boolean | undefined;
  'aria-required'?: boolean | undefined;
}

/**
 * Picks a segment (`x-waymark-widget: segment`) by name from `GET /v1/segments`; the id is what is
 * stored. An id that names no segment stays chosen and says so (the problems list it too). Without the
 * list (an older runtime), the id is typed.
 */
export function SegmentInput({ id, value, onChange, ...aria }: SegmentInputProps) {
  const segments = useContext(SegmentsContext);
  const href = useContext(SegmentsHrefContext);
  const s = useStrings();
  if (segments === null)
    return <input id={id} type="text" value={value} onChange={(e) => onChange(e.target.value)} {...aria} />;
  const known = segments.some((g) => g.id === value);
  return (
    <>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} {...aria}>
        <option value="">{`${s.chooseSegment}…`}</option>
        {value !== '' && !known && <option value={value}>{format(s.segmentMissingOption, { id: value })}</option>}
        {segments.map((g) => (
          <option key={g.id} value={g.id}>
            {g.name}
          </option>
        ))}
      </select>
      {segments.length === 0 && <p className="wm-hint">{s.noSegmentsYet}</p>}
      {href && (
        <p className="wm-hint">
          <a href={href}>
            {s.manageSegments} <ExternalLink aria-hidden size={12} />
          </a>
        </p>
      )}
    </>
  );
}
