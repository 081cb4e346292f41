import { and, eq, gt, isNull } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import { sign, verify } from 'hono/jwt';
import { hashSecret } from '../crypto.ts';
import type { Db } from '../db/client.ts';
import { apiKeys, signInTokens } from '../db/schema.ts';
import { ApiError } from '../errors.ts';

/**
 * The person an editor token is for, as the host product that issued it knows them (its own user id).
 * The runtime trusts it because only an API key can issue editor tokens.
 */
export interface EditorUser {
  id: string;
  name?: string;
  email?: string;
}

/** Who is calling: an API key (full access to its workspace) or an editor token (scoped). */
export interface Principal {
  workspaceId: string;
  kind: 'apiKey' | 'editor';
  /** Editor tokens may be limited to one journey. */
  journeyId?: string;
  /** Editor tokens are `edit` or `read`; API keys are `admin`. */
  access: 'admin' | 'edit' | 'read';
  /** Who acts, for the audit trail: `apiKey:<prefix>`, `editor:<user id>`, or `editor` for a token without a user. */
  actor: string;
  /** The person an editor token was issued for, when the issuer named one. */
  user?: EditorUser;
}

/** Hono variables set by the auth middleware. */
export type AuthEnv = { Variables: { principal: Principal } };

const keyCache = new Map<string, { workspaceId: string; prefix: string; until: number }>();
const keyCacheMs = 30_000;

async function principalOfKey(db: Db, key: string): Promise<Principal | null> {
  const hash = hashSecret(key);
  const hit = keyCache.get(hash);
  if (hit && hit.until > Date.now())
    return { workspaceId: hit.workspaceId, kind: 'apiKey', access: 'admin', actor: `apiKey:${hit.prefix}` };
  const [row] = await db
    .select({ workspaceId: apiKeys.workspaceId, prefix: apiKeys.prefix })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)));
  if (!row) return null;
  if (keyCache.size > 10_000) keyCache.clear();
  keyCache.set(hash, { workspaceId: row.workspaceId, prefix: row.prefix, until: Date.now() + keyCacheMs });
  return { workspaceId: row.workspaceId, kind: 'apiKey', access: 'admin', actor: `apiKey:${row.prefix}` };
}

/** Forgets cached API keys (after a key is revoked). */
export function clearKeyCache(): void {
  keyCache.clear();
}

/** Issues a short-lived editor token for a browser. */
export async function issueEditorToken(
  secret: string,
  scope: { workspaceId: string; journeyId?: string; access: 'edit' | 'read'; ttlSeconds: number; user?: EditorUser },
): Promise<{ token: string; expiresAt: string }> {
  const exp = Math.floor(Date.now() / 1000) + scope.ttlSeconds;
  const payload: Record<string, unknown> = { ws: scope.workspaceId, acc: scope.access, exp, typ: 'editor' };
  if (scope.journeyId !== undefined) payload.jid = scope.journeyId;
  if (scope.user !== undefined) payload.usr = scope.user;
  return { token: await sign(payload, secret, 'HS256'), expiresAt: new Date(exp * 1000).toISOString() };
}

/** The `usr` claim of a verified token as a user, or undefined when absent or malformed. */
function userOf(claim: unknown): EditorUser | undefined {
  if (typeof claim !== 'object' || claim === null) return undefined;
  const { id, name, email } = claim as Record<string, unknown>;
  if (typeof id !== 'string' || id === '') return undefined;
  return {
    id,
    ...(typeof name === 'string' ? { name } : {}),
    ...(typeof email === 'string' ? { email } : {}),
  };
}

async function principalOfEditorToken(secret: string, token: string): Promise<Principal | null> {
  try {
    const p = (await verify(token, secret, 'HS256')) as Record<string, unknown>;
    if (p.typ !== 'editor' || typeof p.ws !== 'string' || (p.acc !== 'edit' && p.acc !== 'read')) return null;
    const principal: Principal = { workspaceId: p.ws, kind: 'editor', access: p.acc, actor: 'editor' };
    if (typeof p.jid === 'string') principal.journeyId = p.jid;
    const user = userOf(p.usr);
    if (user) {
      principal.user = user;
      principal.actor = `editor:${user.id}`;
    }
    return principal;
  } catch {
    return null;
  }
}

/** Exchanges a one-time sign-in token for the workspace id; null when unknown, used or expired. */
export async function redeemSignInToken(db: Db, token: string): Promise<string | null> {
  const rows = await db
    .update(signInTokens)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(signInTokens.tokenHash, hashSecret(token)),
        isNull(signInTokens.usedAt),
        gt(signInTokens.expiresAt, new Date()),
      ),
    )
    .returning({ workspaceId: signInTokens.workspaceId });
  return rows[0]?.workspaceId ?? null;
}

/** Requires `Authorization: Bearer <API key or editor token>` and sets the principal. */
export function authenticate(db: Db, tokenSecret: string) {
  return createMiddleware<AuthEnv>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match)
      throw new ApiError('unauthorized', 'send an API key or editor token as "Authorization: Bearer <token>"');
    const token = match[1] as string;
    const principal = token.startsWith('wm_')
      ? await principalOfKey(db, token)
      : await principalOfEditorToken(tokenSecret, token);
    if (!principal)
      throw new ApiError('unauthorized', 'the API key or editor token is not valid (revoked, expired or mistyped)');
    if (
      principal.access === 'read' &&
      !['GET', 'HEAD', 'OPTIONS'].includes(c.req.method) &&
      !c.req.path.endsWith('/validate')
    )
      throw new ApiError('forbidden', 'this editor token is read-only');
    c.set('principal', principal);
    await next();
  });
}

/** Throws unless the caller holds an API key (some routes are not for browsers). */
export function requireApiKey(p: Principal): void {
  if (p.kind !== 'apiKey') throw new ApiError('forbidden', 'this route needs an API key; editor tokens cannot use it');
}

/**
 * Throws unless the caller holds an API key or an editor token for the whole workspace that may edit:
 * the contacts screen exports and erases contacts for the marketer, while tokens limited to one
 * journey (what embedding products hand out) or read-only tokens cannot.
 */
export function requireWorkspaceEditor(p: Principal): void {
  if (p.kind === 'apiKey') return;
  if (p.journeyId !== undefined || p.access !== 'edit')
    throw new ApiError(
      'forbidden',
      'this route needs an API key or an editor token for the whole workspace that may edit',
    );
}

/**
 * Throws unless the caller's credential covers the whole workspace (an API key, or an editor token not
 * limited to one journey): for data that spans every journey, such as the mail the workspace sent.
 */
export function requireWholeWorkspace(p: Principal, what: string): void {
  if (p.journeyId !== undefined)
    throw new ApiError(
      'forbidden',
      `${what} needs an API key or an editor token for the whole workspace; this editor token is limited to journey "${p.journeyId}"`,
    );
}

/** Throws unless the caller may touch this journey (editor tokens may be limited to one). */
export function requireJourneyAccess(p: Principal, journeyId: string): void {
  if (p.journeyId !== undefined && p.journeyId !== journeyId)
    throw new ApiError('forbidden', `this editor token is limited to journey "${p.journeyId}"`);
}
