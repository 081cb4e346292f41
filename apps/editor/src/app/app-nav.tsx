import { ClipboardCheck, Filter, Inbox, Mail, Route, Users } from 'lucide-react';
import type { ApiClient } from '../api/client.ts';
import { useApiData } from '../api/use-api-data.ts';
import { useStrings } from '../strings.ts';

/** The sections of the standalone app. */
export type Section = 'journeys' | 'templates' | 'contacts' | 'segments' | 'reviews';

/** Props of {@link AppNav}. */
export interface AppNavProps {
  api: ApiClient;
  current: Section | undefined;
}

/**
 * The standalone app's main navigation: journeys, templates, contacts, segments, the review queue, and the
 * development inbox when the runtime catches mail itself (it answers 404 when a real SMTP server is set).
 */
export function AppNav({ api, current }: AppNavProps) {
  const s = useStrings();
  // A failed request just leaves the link out.
  const inbox = useApiData(() => fetch(`${api.baseUrl}/inbox`, { method: 'HEAD' }).then((res) => res.ok), [api]).data;
  const links: { section: Section; href: string; label: string; icon: typeof Mail }[] = [
    { section: 'journeys', href: '#/', label: s.journeys, icon: Route },
    { section: 'templates', href: '#/templates', label: s.templates, icon: Mail },
    { section: 'contacts', href: '#/contacts', label: s.contacts, icon: Users },
    { section: 'segments', href: '#/segments', label: s.segments, icon: Filter },
    { section: 'reviews', href: '#/reviews', label: s.reviewQueue, icon: ClipboardCheck },
  ];
  return (
    <nav className="wm-app-nav" aria-label={s.mainNavigation}>
      <span className="wm-app-name">{s.appName}</span>
      <ul>
        {links.map(({ section, href, label, icon: Icon }) => (
          <li key={section}>
            <a href={href} aria-current={current === section ? 'page' : undefined}>
              <Icon aria-hidden size={16} /> {label}
            </a>
          </li>
        ))}
        {inbox && (
          <li>
            <a href={`${api.baseUrl}/inbox`}>
              <Inbox aria-hidden size={16} /> {s.devInbox}
            </a>
          </li>
        )}
      </ul>
    </nav>
  );
}
