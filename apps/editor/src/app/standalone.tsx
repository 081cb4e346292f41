import { useEffect, useMemo, useState } from 'react';
import { ApiProvider } from '../api/api-context.ts';
import { createApiClient } from '../api/client.ts';
import { ContactDetail } from '../contacts/contact-detail.tsx';
import { ContactsPage } from '../contacts/contacts-page.tsx';
import { EditorRoot } from '../embed/editor-root.tsx';
import { ShadowHost } from '../embed/shadow-host.tsx';
import { ReviewQueue } from '../reviews/review-queue.tsx';
import { SegmentsHrefProvider } from '../segments/segment-input.tsx';
import { SegmentsPage } from '../segments/segments-page.tsx';
import { useStrings } from '../strings.ts';
import { TemplateLinkProvider } from '../templates/template-input.tsx';
import { TemplateLibrary } from '../templates/template-library.tsx';
import { TemplatePage } from '../templates/template-page.tsx';
import { AppNav, type Section } from './app-nav.tsx';
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
  | { page: 'template'; id: string }
  | { page: 'contacts' }
  | { page: 'contact'; id: string }
  | { page: 'segments' }
  | { page: 'reviews' };

function routeOf(hash: string): Route {
  const m = /^#\/(journeys|templates|contacts|segments|reviews)(?:\/([^/?#]+))?/.exec(hash);
  const id = m?.[2] ? decodeURIComponent(m[2]) : undefined;
  if (m?.[1] === 'templates') return id ? { page: 'template', id } : { page: 'templates' };
  if (m?.[1] === 'contacts') return id ? { page: 'contact', id } : { page: 'contacts' };
  if (m?.[1] === 'reviews') return { page: 'reviews' };
  if (m?.[1] === 'segments') return { page: 'segments' };
  return id ? { page: 'journey', id } : { page: 'journeys' };
}

/** The list pages carry the main navigation; the journey editor and the designer fill the window. */
const sectionOf: Partial<Record<Route['page'], Section>> = {
  journeys: 'journeys',
  templates: 'templates',
  contacts: 'contacts',
  contact: 'contacts',
  segments: 'segments',
  reviews: 'reviews',
};

const templateHref = (id: string) => `#/templates/${encodeURIComponent(id)}`;
const contactHref = (id: string) => `#/contacts/${encodeURIComponent(id)}`;
const journeyHref = (id: string) => `#/journeys/${encodeURIComponent(id)}`;

function SignInNeeded() {
  const s = useStrings();
  return (
    <p className="wm-page-message" role="alert">
      {s.signInNeeded}
    </p>
  );
}

/** The standalone app the runtime serves: the journey list at `#/`, a journey at `#/journeys/:id`,
 * the template library at `#/templates`, a template's designer at `#/templates/:id`, contacts at
 * `#/contacts` (one at `#/contacts/:id`), segments at `#/segments` and the review queue at `#/reviews`. */
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
  const section = sectionOf[route.page];
  const page =
    route.page === 'journey' ? (
      <EditorView key={route.id} api={api} journeyId={route.id} onBack={() => go('#/')} autoFocus />
    ) : route.page === 'templates' ? (
      <TemplateLibrary api={api} onOpen={(id) => go(templateHref(id))} />
    ) : route.page === 'template' ? (
      <TemplatePage key={route.id} api={api} templateId={route.id} onBack={() => go('#/templates')} />
    ) : route.page === 'contacts' ? (
      <ContactsPage api={api} onOpen={(id) => go(contactHref(id))} contactHref={contactHref} />
    ) : route.page === 'contact' ? (
      <ContactDetail key={route.id} api={api} contactId={route.id} onBack={() => go('#/contacts')} />
    ) : route.page === 'segments' ? (
      <SegmentsPage api={api} />
    ) : route.page === 'reviews' ? (
      <ReviewQueue api={api} journeyHref={journeyHref} />
    ) : (
      <JourneyList api={api} onOpen={(id) => go(journeyHref(id))} />
    );
  return (
    <ShadowHost style={{ height: '100vh' }}>
      <EditorRoot>
        <ApiProvider value={api}>
          <TemplateLinkProvider value={templateHref}>
            <SegmentsHrefProvider value="#/segments">
              {token === null ? (
                <SignInNeeded />
              ) : section ? (
                <div className="wm-app">
                  <AppNav api={api} current={section} />
                  <main className="wm-app-main">{page}</main>
                </div>
              ) : (
                page
              )}
            </SegmentsHrefProvider>
          </TemplateLinkProvider>
        </ApiProvider>
      </EditorRoot>
    </ShadowHost>
  );
}
