import type { CSSProperties } from 'react';

/** No scripts, no same-origin, no forms: an email's HTML is user content. Links open outside the frame. */
const previewSandbox = 'allow-popups allow-popups-to-escape-sandbox';

/** Props of {@link EmailPreviewFrame}. */
export interface EmailPreviewFrameProps {
  /** The rendered email, as a whole HTML document. */
  document: string;
  /** The frame's accessible name. */
  title: string;
  style?: CSSProperties | undefined;
}

/** A rendered email in a frame sandboxed without scripts, sending no referrer. */
export function EmailPreviewFrame({ document, title, style }: EmailPreviewFrameProps) {
  return (
    <iframe
      className="wm-preview-frame"
      title={title}
      sandbox={previewSandbox}
      referrerPolicy="no-referrer"
      srcDoc={document}
      style={style}
    />
  );
}
