import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { EditorUser } from './api/auth.ts';
import { hashSecret, newApiKey, newId } from './crypto.ts';
import type { Db } from './db/client.ts';
import { apiKeys, serverSecrets, signInTokens, workspaces } from './db/schema.ts';

/** Secrets generated once per installation and kept in the database. */
export interface ServerSecrets {
  /** Signs editor tokens. */
  tokens: string;
  /** Signs unsubscribe, preference and tracking links. */
  links: string;
}

async function secret(db: Db, name: string): Promise<string> {
  await db
    .insert(serverSecrets)
    .values({ name, value: randomBytes(32).toString('base64url') })
    .onConflictDoNothing();
  const [row] = await db.select().from(serverSecrets).where(eq(serverSecrets.name, name));
  if (!row) throw new Error(`server secret ${name} missing`);
  return row.value;
}

/** Loads (creating on first start) the server's signing secrets. */
export async function loadSecrets(db: Db): Promise<ServerSecrets> {
  return { tokens: await secret(db, 'editor-tokens'), links: await secret(db, 'links') };
}

/** Creates a workspace and its first API key; returns the key, which is never stored in clear. */
export async function createWorkspace(db: Db, name: string, id = newId('ws_'), key?: string) {
  const k = key === undefined ? newApiKey() : { key, hash: hashSecret(key), prefix: key.slice(0, 9) };
  await db.transaction(async (tx) => {
    await tx.insert(workspaces).values({ id, name });
    await tx
      .insert(apiKeys)
      .values({ id: newId('key_'), workspaceId: id, name: 'first key', prefix: k.prefix, keyHash: k.hash });
  });
  return { workspaceId: id, apiKey: k.key };
}

/** Where the default workspace's key came from at this start. */
export type DefaultKeySource = 'generated' | 'configured' | 'existing';

/**
 * Makes sure the default workspace exists. On first start it gets `WAYMARK_API_KEY`, or else a
 * generated key; a configured key is also added later if missing. `apiKey` is set only when the key
 * was generated at this start (the one time it can be shown): a configured key is the operator's
 * secret already and is never handed back to be printed.
 */
export async function ensureDefaultWorkspace(
  db: Db,
  configuredKey: string | undefined,
): Promise<{ workspaceId: string; apiKey: string | undefined; created: boolean; keySource: DefaultKeySource }> {
  const [existing] = await db.select().from(workspaces).where(eq(workspaces.id, 'default'));
  if (!existing) {
    const created = await createWorkspace(db, 'Default workspace', 'default', configuredKey);
    return configuredKey === undefined
      ? { workspaceId: 'default', apiKey: created.apiKey, created: true, keySource: 'generated' }
      : { workspaceId: 'default', apiKey: undefined, created: true, keySource: 'configured' };
  }
  if (configuredKey !== undefined) {
    const hash = hashSecret(configuredKey);
    await db
      .insert(apiKeys)
      .values({
        id: newId('key_'),
        workspaceId: 'default',
        name: 'WAYMARK_API_KEY',
        prefix: configuredKey.slice(0, 9),
        keyHash: hash,
      })
      .onConflictDoNothing();
  }
  return {
    workspaceId: 'default',
    apiKey: undefined,
    created: false,
    keySource: configuredKey === undefined ? 'existing' : 'configured',
  };
}

/**
 * Who the sign-in link printed at start signs in: the person running this installation. The editor
 * token it is exchanged for carries this user, so their approvals are recorded as `editor:owner`.
 */
export const installationOwner: EditorUser = { id: 'owner', name: 'Owner' };

/** A one-time sign-in link token for a workspace, valid for `ttlMs`. */
export async function createSignInToken(db: Db, workspaceId: string, ttlMs = 24 * 3600 * 1000): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  await db
    .insert(signInTokens)
    .values({ tokenHash: hashSecret(token), workspaceId, expiresAt: new Date(Date.now() + ttlMs) });
  return token;
}
