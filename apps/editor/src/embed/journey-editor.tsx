import { type CSSProperties, useMemo, useState } from 'react';
import { ApiProvider } from '../api/api-context.ts';
import { createApiClient, type JourneyVersion } from '../api/client.ts';
import { EditorView, type JourneyChange } from '../app/editor-view.tsx';
import { JourneyList } from '../app/journey-list.tsx';
import type { Strings } from '../strings.ts';
import { EditorRoot, type JourneyEditorTheme } from './editor-root.tsx';
import { ShadowHost } from './shadow-host.tsx';

/** Props of {@link JourneyEditor}. */
export interface JourneyEditorProps {
  /** Where the Waymark runtime is, e.g. `https://waymark.example.com`; empty for the page's origin. */
  apiUrl: string;
  /** An editor token from `POST /v1/editor-tokens` (made by the host's server with its API key). */
  token: string;
  /** The journey to edit; without it the editor lists the workspace's journeys. */
  journeyId?: string | undefined;
  theme?: JourneyEditorTheme | undefined;
  /** Replacements for any of the editor's texts, for localisation. */
  strings?: Partial<Strings> | undefined;
  /** After every change: the journey definition, its layout and its problems. */
  onChange?: ((change: JourneyChange) => void) | undefined;
  /** After a successful publish. */
  onPublish?: ((version: JourneyVersion) => void) | undefined;
  className?: string | undefined;
  style?: CSSProperties | undefined;
}

/** The editor's content without the shadow root: for hosts (the custom element) that already have one. */
export function JourneyEditorContent(props: Omit<JourneyEditorProps, 'className' | 'style'>) {
  const { apiUrl, token, journeyId, theme, strings, onChange, onPublish } = props;
  const api = useMemo(() => createApiClient({ apiUrl, token }), [apiUrl, token]);
  const [opened, setOpened] = useState<string | undefined>(undefined);
  const id = journeyId ?? opened;
  return (
    <EditorRoot theme={theme} strings={strings}>
      <ApiProvider value={api}>
        {id ? (
          <EditorView
            key={id}
            api={api}
            journeyId={id}
            onChange={onChange}
            onPublish={onPublish}
            onBack={journeyId === undefined ? () => setOpened(undefined) : undefined}
          />
        ) : (
          <JourneyList api={api} onOpen={setOpened} />
        )}
      </ApiProvider>
    </EditorRoot>
  );
}

/**
 * The Waymark journey editor as a React component, rendered in a shadow root so its styles and the
 * host's do not mix. Give it a height (it fills its box).
 *
 * @example
 * <JourneyEditor apiUrl="https://waymark.example.com" token={editorToken} journeyId="cart-abandonment"
 *   style={{ height: 700 }} onPublish={(v) => console.log('live version', v.version)} />
 */
export function JourneyEditor({ className, style, ...rest }: JourneyEditorProps) {
  return (
    <ShadowHost className={className} style={style}>
      <JourneyEditorContent {...rest} />
    </ShadowHost>
  );
}
