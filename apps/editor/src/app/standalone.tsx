import { useEffect, useMemo, useState } from 'react';
import { createApiClient } from '../api/client.ts';
import { EditorRoot } from '../embed/editor-root.tsx';
import { ShadowHost } from '../embed/shadow-host.tsx';
import { useStrings } from '../strings.ts';
import { TemplateLinkProvider } from '../templates/template-input.tsx';
import { TemplateLibrary } from '../templates/template-library.tsx';
import { TemplatePage } from '../templates/template-page.tsx';
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

type Route =
  | { page: 'journeys' }
  | { page: 'journey'; id: string }
  | { page: 'templates' }
  | { page: 'template'; id: string };

function routeOf(hash: string): Route {
  const m = /^#\/(journeys|templates)(?:\/([^/?#]+))?/.exec(hash);
  const id = m?.[2] ? decodeURIComponent(m[2]) : undefined;
  if (m?.[1] === 'templates') return id ? { page: 'template', id } : { page: 'templates' };
  return id ? { page: 'journey', id } : { page: 'journeys' };
}

const templateHref = (id: string) => `#/templates/${encodeURIComponent(id)}`;

function SignInNeeded() {
  const s = useStrings();
  return (
    <p className="wm-page-message" role="alert">
      {s.signInNeeded}
    </p>
  );
}

/** The standalone app the runtime serves: the journey list at `#/`, a journey at `#/journeys/:id`,
 * the template library at `#/templates` and a template's designer at `#/templates/:id`. */
export function StandaloneApp({ token }: { token: string | null }) {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onHash = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const api = useMemo(() => createApiClient({ apiUrl: '', token: token ?? '' }), [token]);
  const route = routeOf(hash);
  const go = (to: string) => {
    window.location.hash = to;
  };
  return (
    <ShadowHost style={{ height: '100vh' }}>
      <EditorRoot>
        <TemplateLinkProvider value={templateHref}>
          {token === null ? (
            <SignInNeeded />
          ) : route.page === 'journey' ? (
            <EditorView key={route.id} api={api} journeyId={route.id} onBack={() => go('#/')} />
          ) : route.page === 'templates' ? (
            <TemplateLibrary api={api} onOpen={(id) => go(templateHref(id))} onBack={() => go('#/')} />
          ) : route.page === 'template' ? (
            <TemplatePage key={route.id} api={api} templateId={route.id} onBack={() => go('#/templates')} />
          ) : (
            <JourneyList
              api={api}
              onOpen={(id) => go(`#/journeys/${encodeURIComponent(id)}`)}
              templatesHref="#/templates"
            />
          )}
        </TemplateLinkProvider>
      </EditorRoot>
    </ShadowHost>
  );
}
