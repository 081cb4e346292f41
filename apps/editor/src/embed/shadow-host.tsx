import { type CSSProperties, type ReactNode, useLayoutEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';

/** Props of {@link ShadowHost}. */
export interface ShadowHostProps {
  children: ReactNode;
  className?: string | undefined;
  style?: CSSProperties | undefined;
}

/**
 * Renders its children into an open shadow root on a `<div>`, so the host page's CSS does not reach
 * the editor and the editor's CSS does not reach the page. CSS custom properties still inherit, which
 * is how hosts theme it.
 */
export function ShadowHost({ children, className, style }: ShadowHostProps) {
  const host = useRef<HTMLDivElement>(null);
  const [root, setRoot] = useState<ShadowRoot | null>(null);
  useLayoutEffect(() => {
    const el = host.current;
    if (el) setRoot(el.shadowRoot ?? el.attachShadow({ mode: 'open' }));
  }, []);
  return (
    <div ref={host} className={className} style={{ display: 'block', height: '100%', ...style }}>
      {root && createPortal(children, root)}
    </div>
  );
}
