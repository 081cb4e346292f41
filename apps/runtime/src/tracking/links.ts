import { openToken, sealToken } from '../crypto.ts';
import type { Services } from '../services.ts';

/**
 * What a signed link carries: the kind of link and the outbox row (message) it belongs to. Kinds:
 * `o` open pixel, `c` click, `u` unsubscribe, `p` preference center.
 */
export type LinkToken =
  | { t: 'o'; m: number }
  | { t: 'c'; m: number; u: string; i: number }
  | { t: 'u'; m: number }
  | { t: 'p'; m: number };

/** The public links of one email, for {@link renderEmail}'s `links` and `tracking`. */
export interface MessageLinks {
  unsubscribeUrl: string;
  preferencesUrl: string;
  openUrl: string;
  clickUrl(url: string, index: number): string;
}

/** Builds the signed open, click, unsubscribe and preference-center URLs of a message (an outbox row id). */
export function messageLinks(services: Pick<Services, 'config' | 'secrets'>, messageId: number): MessageLinks {
  const base = services.config.publicUrl;
  const secret = services.secrets.links;
  return {
    unsubscribeUrl: `${base}/u/${sealToken(secret, { t: 'u', m: messageId })}`,
    preferencesUrl: `${base}/p/${sealToken(secret, { t: 'p', m: messageId })}`,
    openUrl: `${base}/t/o/${sealToken(secret, { t: 'o', m: messageId })}`,
    clickUrl: (url, index) => `${base}/t/c/${sealToken(secret, { t: 'c', m: messageId, u: url, i: index })}`,
  };
}

/** Opens a link token of the expected kind; null when it was tampered with, malformed or of another kind. */
export function readLinkToken<K extends LinkToken['t']>(
  secret: string,
  token: string,
  kind: K,
): Extract<LinkToken, { t: K }> | null {
  const value = openToken<Record<string, unknown>>(secret, token);
  if (!value || value.t !== kind || !Number.isSafeInteger(value.m)) return null;
  if (kind === 'c' && (typeof value.u !== 'string' || !/^https?:\/\//i.test(value.u) || typeof value.i !== 'number'))
    return null;
  return value as Extract<LinkToken, { t: K }>;
}
