import { z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { workspaceAiSettings } from '../db/ai-schema.ts';
import { recordAudit } from '../db/audit.ts';
import type { Db, Tx } from '../db/client.ts';

/** Most banned words a workspace may keep. */
export const maxBannedWords = 200;

/**
 * A workspace's banned words: each trimmed, 1–50 characters; at most 200. Repeats (ignoring case)
 * are dropped, keeping the first spelling.
 */
export const bannedWordsSchema = z
  .array(z.string().trim().min(1, 'must not be empty or only spaces').max(50, 'must be at most 50 characters'))
  .max(maxBannedWords, `at most ${maxBannedWords} banned words`)
  .transform((words) => {
    const seen = new Set<string>();
    return words.filter((w) => {
      const key = w.normalize('NFKC').toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  });

/** Where a workspace's banned words come from: its own list, or the installation default. */
export type BannedWordsSource = 'workspace' | 'default';

/** The banned words in force for a workspace. */
export interface BannedWords {
  words: string[];
  source: BannedWordsSource;
  updatedAt: Date | null;
}

/** The workspace's own list, else `defaults` (WAYMARK_BANNED_WORDS). */
export async function bannedWordsOf(
  db: Db | Tx,
  workspaceId: string,
  defaults: readonly string[] = [],
): Promise<BannedWords> {
  const [row] = await db.select().from(workspaceAiSettings).where(eq(workspaceAiSettings.workspaceId, workspaceId));
  return row
    ? { words: row.bannedWords, source: 'workspace', updatedAt: row.updatedAt }
    : { words: [...defaults], source: 'default', updatedAt: null };
}

/**
 * Sets the workspace's own banned words (`null` returns it to the installation default) and records
 * the change, with the lists before and after, in the audit trail in the same transaction.
 */
export async function setBannedWords(
  tx: Tx,
  change: { workspaceId: string; words: string[] | null; actor: string; ip?: string | undefined },
  defaults: readonly string[] = [],
): Promise<BannedWords> {
  const before = await bannedWordsOf(tx, change.workspaceId, defaults);
  const at = new Date();
  if (change.words === null)
    await tx.delete(workspaceAiSettings).where(eq(workspaceAiSettings.workspaceId, change.workspaceId));
  else
    await tx
      .insert(workspaceAiSettings)
      .values({ workspaceId: change.workspaceId, bannedWords: change.words, updatedAt: at, updatedBy: change.actor })
      .onConflictDoUpdate({
        target: workspaceAiSettings.workspaceId,
        set: { bannedWords: change.words, updatedAt: at, updatedBy: change.actor },
      });
  const after: BannedWords =
    change.words === null
      ? { words: [...defaults], source: 'default', updatedAt: null }
      : { words: change.words, source: 'workspace', updatedAt: at };
  await recordAudit(tx, {
    workspaceId: change.workspaceId,
    actor: change.actor,
    action: change.words === null ? 'ai.bannedWords.reset' : 'ai.bannedWords.updated',
    subjectType: 'workspace',
    subjectId: change.workspaceId,
    details: {
      before: { source: before.source, words: before.words },
      after: { source: after.source, words: after.words },
    },
    ip: change.ip,
  });
  return after;
}
