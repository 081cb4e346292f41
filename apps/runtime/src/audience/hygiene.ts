import { disposableEmailBlocklistSet } from 'disposable-email-domains-js';

/** Why an address is imported but worth a look. */
export type HygieneFlag = 'disposable' | 'role' | 'typo';

/** The verdict on one address. */
export type AddressCheck =
  | { valid: false; code: 'invalid_syntax'; message: string }
  | {
      valid: true;
      /** The address as given, trimmed. */
      email: string;
      /** Lowercased, Gmail dots and +tag removed on gmail.com/googlemail.com: equal keys are one mailbox. */
      key: string;
      domain: string;
      flags: HygieneFlag[];
      /** For a likely typo of a major domain: the address with the domain corrected. */
      suggestion?: string;
    };

// The syntax zod's z.email() accepts (so every imported address also passes the contacts API).
const syntax = /^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

const gmailDomains = new Set(['gmail.com', 'googlemail.com']);

/** Shared mailboxes rather than a person: deliverability risk (and often no consent of a person). */
export const roleLocalParts: ReadonlySet<string> = new Set([
  'abuse',
  'accounts',
  'admin',
  'administrator',
  'billing',
  'careers',
  'contact',
  'customerservice',
  'donotreply',
  'do-not-reply',
  'enquiries',
  'feedback',
  'hello',
  'help',
  'helpdesk',
  'hostmaster',
  'hr',
  'info',
  'inquiries',
  'jobs',
  'legal',
  'mail',
  'marketing',
  'media',
  'newsletter',
  'no-reply',
  'noreply',
  'office',
  'postmaster',
  'press',
  'privacy',
  'root',
  'sales',
  'security',
  'service',
  'support',
  'team',
  'webmaster',
]);

/** Major mailbox providers whose misspellings are worth suggesting a fix for. */
export const majorDomains: readonly string[] = [
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'yahoo.co.uk',
  'yahoo.fr',
  'hotmail.com',
  'hotmail.co.uk',
  'hotmail.fr',
  'outlook.com',
  'live.com',
  'icloud.com',
  'aol.com',
  'msn.com',
  'protonmail.com',
  'proton.me',
  'gmx.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  'comcast.net',
  'verizon.net',
  'att.net',
  'yandex.ru',
  'mail.ru',
  'zoho.com',
];
/** Major domains plus real providers that sit one letter from one (ymail.com, email.com …): never typos. */
const knownDomains = new Set([
  ...majorDomains,
  'mail.com',
  'email.com',
  'ymail.com',
  'rocketmail.com',
  'me.com',
  'mac.com',
  'hotmail.de',
  'hotmail.it',
  'hotmail.es',
  'live.co.uk',
  'live.fr',
  'outlook.fr',
  'outlook.de',
  'yahoo.de',
  'yahoo.es',
  'yahoo.it',
  'yahoo.ca',
  'gmx.at',
  'gmx.ch',
]);

let disposable: Set<string> | undefined;
/** True when the domain, or a parent domain of it, is on the maintained disposable-domain list. */
export function isDisposableDomain(domain: string): boolean {
  disposable ??= disposableEmailBlocklistSet();
  let d = domain.toLowerCase();
  for (;;) {
    if (disposable.has(d)) return true;
    const dot = d.indexOf('.');
    if (dot < 0 || d.indexOf('.', dot + 1) < 0) return false;
    d = d.slice(dot + 1);
  }
}

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), stopping early past `max`. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, (prev2[j - 2] as number) + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n] as number;
}

const typoCache = new Map<string, string | null>();
/**
 * The major domain this one is likely a misspelling of, or null: one edit (a transposition counts
 * as one) away from a major domain and not a known real domain itself. Majors shorter than eight
 * characters are left out: too many real domains sit one letter away from "msn.com".
 */
export function suggestDomain(domain: string): string | null {
  const d = domain.toLowerCase();
  if (knownDomains.has(d)) return null;
  const hit = typoCache.get(d);
  if (hit !== undefined) return hit;
  let best: string | null = null;
  for (const major of majorDomains) {
    if (major.length < 8) continue;
    if (editDistance(d, major, 1) <= 1) {
      best = major;
      break;
    }
  }
  if (typoCache.size > 10_000) typoCache.clear();
  typoCache.set(d, best);
  return best;
}

/** The key under which two spellings of one mailbox meet. */
export function duplicateKey(email: string): string {
  const lower = email.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  const domain = lower.slice(at + 1);
  if (!gmailDomains.has(domain)) return lower;
  let local = lower.slice(0, at);
  const plus = local.indexOf('+');
  if (plus >= 0) local = local.slice(0, plus);
  return `${local.replaceAll('.', '')}@gmail.com`;
}

/** Checks one address: syntax, duplicate key, disposable domain, role account, likely domain typo. */
export function checkAddress(raw: string): AddressCheck {
  const email = raw.trim();
  if (email === '') return { valid: false, code: 'invalid_syntax', message: 'email is empty' };
  const at = email.lastIndexOf('@');
  if (email.length > 320 || at > 64 || !syntax.test(email))
    return { valid: false, code: 'invalid_syntax', message: `"${email.slice(0, 100)}" is not a valid email address` };
  const domain = email.slice(at + 1).toLowerCase();
  let local = email.slice(0, at).toLowerCase();
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  const flags: HygieneFlag[] = [];
  const typo = suggestDomain(domain);
  // Typo domains of the big providers are often registered by squatters and so on the disposable
  // list too; the useful verdict there is the typo and its fix.
  if (!typo && isDisposableDomain(domain)) flags.push('disposable');
  if (roleLocalParts.has(local)) flags.push('role');
  if (typo) flags.push('typo');
  return {
    valid: true,
    email,
    key: duplicateKey(email),
    domain,
    flags,
    ...(typo ? { suggestion: `${email.slice(0, at)}@${typo}` } : {}),
  };
}
