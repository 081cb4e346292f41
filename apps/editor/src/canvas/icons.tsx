import {
  Bell,
  Bolt,
  Box,
  Calendar,
  Clock,
  Flag,
  FlaskConical,
  Gauge,
  Hand,
  Hourglass,
  type LucideIcon,
  Mail,
  Shuffle,
  Sparkles,
  Split,
  TicketPercent,
  UserCheck,
  UserPen,
  Users,
  Webhook,
  Zap,
} from 'lucide-react';

// Icons are bundled (no icon font or CDN); a node type naming an icon not listed here gets the box.
const icons: Record<string, LucideIcon> = {
  bolt: Bolt,
  zap: Zap,
  users: Users,
  hand: Hand,
  calendar: Calendar,
  hourglass: Hourglass,
  clock: Clock,
  bell: Bell,
  split: Split,
  shuffle: Shuffle,
  flask: FlaskConical,
  'user-check': UserCheck,
  flag: Flag,
  mail: Mail,
  'user-pen': UserPen,
  webhook: Webhook,
  sparkles: Sparkles,
  gauge: Gauge,
  'ticket-percent': TicketPercent,
};

/** The icon a node type names, drawn as inline SVG; a package's own icon (an SVG data URI) as an image. */
export function NodeIcon({ name, size = 16 }: { name: string | undefined; size?: number }) {
  // An <img> never runs script inside the SVG, so a package's icon cannot reach the page.
  if (name?.startsWith('data:image/svg+xml')) return <img src={name} width={size} height={size} alt="" aria-hidden />;
  // Own keys only: a name such as "constructor" must not reach Object.prototype.
  const Icon = (name !== undefined && Object.hasOwn(icons, name) && icons[name]) || Box;
  return <Icon aria-hidden size={size} strokeWidth={2} />;
}
