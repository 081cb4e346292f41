import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random id, URL-safe. */
export function newId(prefix = ''): string {
  return `${prefix}${randomBytes(12).toString('base64url')}`;
}

/** A new secret API key (shown once) and its hash and display prefix. */
export function newApiKey(): { key: string; hash: string; prefix: string } {
  const key = `wm_${randomBytes(24).toString('base64url')}`;
  return { key, hash: hashSecret(key), prefix: key.slice(0, 9) };
}

/** SHA-256 of a secret, hex; secrets are stored only as hashes. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** SHA-256 of any JSON value, for content hashes. */
export function hashJson(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex');
}

/** JSON with object keys sorted, so equal content gives equal text. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

/** Signs a short text with HMAC-SHA256; the signature is URL-safe. */
export function sign(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('base64url');
}

/** Checks an HMAC signature in constant time. */
export function verify(secret: string, text: string, signature: string): boolean {
  const expected = Buffer.from(sign(secret, text));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Encodes a payload with its signature as one URL-safe token: base64url(json).signature. */
export function sealToken(secret: string, payload: Record<string, unknown>): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

/** Opens a token made by {@link sealToken}; null when it was tampered with or is malformed. */
export function openToken<T extends Record<string, unknown>>(secret: string, token: string): T | null {
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return null;
  const body = token.slice(0, dot);
  if (!verify(secret, body, token.slice(dot + 1))) return null;
  try {
    const value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' ? (value as T) : null;
  } catch {
    return null;
  }
}
