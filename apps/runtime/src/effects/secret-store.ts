import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.ts';
import { serverSecrets } from '../db/schema.ts';
import { workspaceSecrets } from '../db/secrets-schema.ts';

/** The row of `server_secrets` holding the key material when no master key is configured. */
const keyMaterialName = 'workspace-secrets';
const format = 'v1';

/** An encryption key and a short id of it, stored beside each ciphertext to detect a changed key. */
interface SecretKey {
  key: Buffer;
  id: string;
}

/** A secret that cannot be decrypted: stored under another key, or tampered with. */
export class UnreadableSecretError extends Error {
  override readonly name = 'UnreadableSecretError';
  readonly code = 'secret_unreadable';
}

function deriveKey(material: string): SecretKey {
  const key = Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'waymark workspace secrets v1', 32));
  return { key, id: createHash('sha256').update(key).digest('hex').slice(0, 8) };
}

/** Binds a ciphertext to its workspace and name, so it cannot be copied to another row and read there. */
const aad = (workspaceId: string, name: string) => Buffer.from(`${workspaceId}\u0000${name}`);

/** Encrypts a secret value with AES-256-GCM; the result names the key it was made with. */
export function sealSecret(key: SecretKey, workspaceId: string, name: string, value: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(aad(workspaceId, name));
  const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return [format, key.id, iv, cipher.getAuthTag(), data]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** Decrypts a value made by {@link sealSecret}; throws {@link UnreadableSecretError} (without the value) otherwise. */
export function openSecret(key: SecretKey, workspaceId: string, name: string, sealed: string): string {
  const [version, keyId, iv, tag, data] = sealed.split('.');
  if (version !== format || iv === undefined || tag === undefined || data === undefined)
    throw new UnreadableSecretError(`secret ${name} is not in a format this runtime reads`);
  if (keyId !== key.id)
    throw new UnreadableSecretError(
      `secret ${name} was encrypted with another key (the secrets key changed); set it again`,
    );
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(aad(workspaceId, name));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new UnreadableSecretError(`secret ${name} failed its integrity check`);
  }
}

/** A secret as listed: never its value. */
export interface SecretInfo {
  name: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Workspace secrets, encrypted at rest. The key is derived from `masterKey` when one is configured
 * (kept outside the database), else from key material the server generates once and keeps in
 * `server_secrets`. Every method takes the database handle to use, so that callers inside a
 * transaction pass it (PGlite has a single connection).
 */
export class SecretStore {
  #key: SecretKey | undefined;

  constructor(private readonly masterKey?: string) {}

  async #keyOf(q: Db | Tx): Promise<SecretKey> {
    if (this.#key) return this.#key;
    let material = this.masterKey;
    if (material === undefined) {
      await q
        .insert(serverSecrets)
        .values({ name: keyMaterialName, value: randomBytes(32).toString('base64url') })
        .onConflictDoNothing();
      const [row] = await q.select().from(serverSecrets).where(eq(serverSecrets.name, keyMaterialName));
      if (!row) throw new Error('the workspace secrets key could not be created');
      material = row.value;
    }
    this.#key = deriveKey(material);
    return this.#key;
  }

  /** Sets a secret; `created` is false when it replaced an existing value. */
  async put(q: Db | Tx, workspaceId: string, name: string, value: string): Promise<SecretInfo & { created: boolean }> {
    const ciphertext = sealSecret(await this.#keyOf(q), workspaceId, name, value);
    const [row] = await q
      .insert(workspaceSecrets)
      .values({ workspaceId, name, ciphertext })
      .onConflictDoUpdate({
        target: [workspaceSecrets.workspaceId, workspaceSecrets.name],
        set: { ciphertext, updatedAt: sql`now()` },
      })
      .returning({ createdAt: workspaceSecrets.createdAt, updatedAt: workspaceSecrets.updatedAt });
    if (!row) throw new Error(`secret ${name} was not stored`);
    return { name, ...row, created: row.createdAt.getTime() === row.updatedAt.getTime() };
  }

  /** The workspace's secrets by name, without values. */
  async list(q: Db | Tx, workspaceId: string): Promise<SecretInfo[]> {
    return q
      .select({
        name: workspaceSecrets.name,
        createdAt: workspaceSecrets.createdAt,
        updatedAt: workspaceSecrets.updatedAt,
      })
      .from(workspaceSecrets)
      .where(eq(workspaceSecrets.workspaceId, workspaceId))
      .orderBy(workspaceSecrets.name);
  }

  /** Deletes a secret; false when the workspace had none by that name. */
  async delete(q: Db | Tx, workspaceId: string, name: string): Promise<boolean> {
    const rows = await q
      .delete(workspaceSecrets)
      .where(and(eq(workspaceSecrets.workspaceId, workspaceId), eq(workspaceSecrets.name, name)))
      .returning({ name: workspaceSecrets.name });
    return rows.length > 0;
  }

  /**
   * Decrypts the named secrets of a workspace. Names without a secret are left out (the executor
   * reports them as missing); one that cannot be decrypted throws {@link UnreadableSecretError}.
   */
  async read(q: Db | Tx, workspaceId: string, names: readonly string[]): Promise<Record<string, string>> {
    if (names.length === 0) return {};
    const rows = await q
      .select({ name: workspaceSecrets.name, ciphertext: workspaceSecrets.ciphertext })
      .from(workspaceSecrets)
      .where(and(eq(workspaceSecrets.workspaceId, workspaceId), inArray(workspaceSecrets.name, [...names])));
    const key = await this.#keyOf(q);
    const out: Record<string, string> = {};
    for (const row of rows) out[row.name] = openSecret(key, workspaceId, row.name, row.ciphertext);
    return out;
  }
}
