import xyflowCss from '@xyflow/react/dist/style.css?inline';
import { type CSSProperties, type ReactNode, useMemo } from 'react';
import { mergeStrings, type Strings, StringsProvider } from '../strings.ts';
import editorCss from '../styles/editor.css?inline';
import screensCss from '../styles/screens.css?inline';

/** The editor's whole stylesheet, placed inside its shadow root so no style crosses the boundary. */
export const editorStyles = `${xyflowCss}\n${editorCss}\n${screensCss}`;

/**
 * The editor's look: `light`, `dark`, or CSS variables (`--wm-accent`, `--wm-bg`, `--wm-surface`,
 * `--wm-text`, `--wm-muted`, `--wm-border`, `--wm-danger`, `--wm-ok`, `--wm-radius`, `--wm-font`)
 * with an optional `mode`. Variables set on the host element in the page's CSS work as well.
 */
export type JourneyEditorTheme =
  | 'light'
  | 'dark'
  | ({ mode?: 'light' | 'dark' } & { [variable: `--wm-${string}`]: string });

/** Props of {@link EditorRoot}. */
export interface EditorRootProps {
  theme?: JourneyEditorTheme | undefined;
  strings?: Partial<Strings> | undefined;
  children: ReactNode;
}

/** The styles, theme and strings every editor surface renders inside. */
export function EditorRoot({ theme, strings, children }: EditorRootProps) {
  const merged = useMemo(() => mergeStrings(strings), [strings]);
  const mode = typeof theme === 'string' ? theme : (theme?.mode ?? 'light');
  const vars: Record<string, string> = {};
  if (theme && typeof theme === 'object')
    for (const [k, v] of Object.entries(theme)) if (k.startsWith('--wm-') && typeof v === 'string') vars[k] = v;
  return (
    <StringsProvider value={merged}>
      <style>{editorStyles}</style>
      <div className="wm-root" data-theme={mode} style={vars as CSSProperties}>
        {children}
      </div>
    </StringsProvider>
  );
}
