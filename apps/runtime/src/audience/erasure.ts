import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { contactImportIssues } from '../db/imports-schema.ts';
import { contactPreferences } from '../db/preferences-schema.ts';

/**
 * Erases what the audience features keep about a contact beyond the core tables: its delivery
 * preferences, and the import report entries that mention its address (a flag or error message
 * quoting it, a typo suggestion equal to it) or its id (an "address taken by contact …" error).
 * Runs in the erasure's transaction; returns how many report entries went.
 */
export async function eraseAudienceData(
  tx: Tx,
  workspaceId: string,
  contact: { id: string; email: string | null },
): Promise<{ importReportEntries: number }> {
  await tx
    .delete(contactPreferences)
    .where(and(eq(contactPreferences.workspaceId, workspaceId), eq(contactPreferences.contactId, contact.id)));
  const email = contact.email?.trim().toLowerCase();
  const idMention = `("${contact.id}")`;
  const candidates = await tx
    .select({
      seq: contactImportIssues.seq,
      message: contactImportIssues.message,
      suggestion: contactImportIssues.suggestion,
    })
    .from(contactImportIssues)
    .where(
      and(
        eq(contactImportIssues.workspaceId, workspaceId),
        or(
          sql`position(${idMention} in ${contactImportIssues.message}) > 0`,
          email ? sql`position(${email} in lower(${contactImportIssues.message})) > 0` : undefined,
          email ? sql`lower(${contactImportIssues.suggestion}) = ${email}` : undefined,
        ),
      ),
    );
  const seqs = candidates
    .filter(
      (c) =>
        c.message.includes(idMention) ||
        (email !== undefined &&
          (c.suggestion?.toLowerCase() === email || mentionsAddress(c.message.toLowerCase(), email))),
    )
    .map((c) => c.seq);
  if (seqs.length > 0) await tx.delete(contactImportIssues).where(inArray(contactImportIssues.seq, seqs));
  return { importReportEntries: seqs.length };
}

/** Whether `text` names `address` as a whole address (not `joann@…` for `ann@…`, nor `ann@example.com.au`). */
export function mentionsAddress(text: string, address: string): boolean {
  for (let at = text.indexOf(address); at >= 0; at = text.indexOf(address, at + 1)) {
    const before = text[at - 1] ?? '';
    const after = text.slice(at + address.length, at + address.length + 2);
    if (!/[a-z0-9._%+\-!#$&'*/=?^`{|}~]/.test(before) && !/^[a-z0-9-]|^\.[a-z0-9]/.test(after)) return true;
  }
  return false;
}
