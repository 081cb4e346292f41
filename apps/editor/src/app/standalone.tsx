import { useEffect, useMemo, useState } from 'react';
import { createApiClient } from '../api/client.ts';
import { EditorRoot } from '../embed/editor-root.tsx';
import { ShadowHost } from '../embed/shadow-host.tsx';
import { useStrings } from '../strings.ts';
import { EditorView } from './editor-view.tsx';
import { JourneyList } from './journey-list.tsx';

/** The session storage key of the editor token. */
export const tokenKey = 'waymark.editorToken';

/**
 * Moves an editor token from the URL fragment (`#token=…`, where the sign-in link puts it) into session
 * storage and removes it from the address bar and history, so it is not bookmarked or shared.
 */
export function takeTokenFromUrl(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(tokenKey, decodeURIComponent(match[1]));
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/`);
  }
  return sessionStorage.getItem(tokenKey);
}

function routeOf(hash: string): { journeyId: string | undefined } {
  const m = /^#\/journeys\/([^/?#]+)/.exec(hash);
  return { journeyId: m?.[1] ? decodeURIComponent(m[1]) : undefined };
}

function SignInNeeded() {
  const s = useStrings();
  return (
    <p className="wm-page-message" role="alert">
      {s.signInNeeded}
    </p>
  );
}

/** The standalone app the runtime serves: the journey list at `#/`, a journey at `#/journeys/:id`. */
export function StandaloneApp({ token }: { token: string | null }) {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onHash = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const api = useMemo(() => createApiClient({ apiUrl: '', token: token ?? '' }), [token]);
  const { journeyId } = routeOf(hash);
  const go = (to: string) => {
    window.location.hash = to;
  };
  return (
    <ShadowHost style={{ height: '100vh' }}>
      <EditorRoot>
        {token === null ? (
          <SignInNeeded />
        ) : journeyId ? (
          <EditorView key={journeyId} api={api} journeyId={journeyId} onBack={() => go('#/')} />
        ) : (
          <JourneyList api={api} onOpen={(id) => go(`#/journeys/${encodeURIComponent(id)}`)} />
        )}
      </EditorRoot>
    </ShadowHost>
  );
}
