import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { erasedAddressKey } from '../db/erased.ts';
import { contactImportIssues } from '../db/imports-schema.ts';
import { contactPreferences } from '../db/preferences-schema.ts';
import { auditLog, devInbox } from '../db/schema.ts';

/**
 * Erases what the audience features keep about a contact beyond the core tables: its delivery
 * preferences, the import report entries that mention its address (a flag or error message
 * quoting it, a typo suggestion equal to it) or its id (an "address taken by contact …" error), the
 * development inbox's copies of the workspace's mail to the address, and the personal fields of its
 * audit entries (see {@link redactAuditEntries}). Runs in the erasure's transaction; returns what went.
 */
export async function eraseAudienceData(
  tx: Tx,
  workspaceId: string,
  contact: { id: string; email: string | null },
): Promise<{ importReportEntries: number; devInboxMessages: number; auditEntriesRedacted: number }> {
  const importReportEntries = await eraseImportReportEntries(tx, workspaceId, contact);
  const devInboxMessages = await eraseDevInboxMail(tx, workspaceId, contact.email);
  const auditEntriesRedacted = await redactAuditEntries(tx, workspaceId, contact);
  return { importReportEntries, devInboxMessages, auditEntriesRedacted };
}

async function eraseImportReportEntries(
  tx: Tx,
  workspaceId: string,
  contact: { id: string; email: string | null },
): Promise<number> {
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
  return seqs.length;
}

/** Deletes the workspace's mail to the address from the development inbox; returns how many went. */
async function eraseDevInboxMail(tx: Tx, workspaceId: string, email: string | null): Promise<number> {
  const address = email?.trim().toLowerCase();
  if (!address) return 0;
  const gone = await tx
    .delete(devInbox)
    .where(
      and(
        eq(devInbox.workspaceId, workspaceId),
        sql`exists (select 1 from unnest(${devInbox.envelopeTo}) as a where lower(a) = ${address})`,
      ),
    )
    .returning({ id: devInbox.id });
  return gone.length;
}

/** What replaces a redacted value in an audit entry. */
export const redactedValue = '[erased]';

/** An audit entry's details with the personal fields gone: evidence (ip, user agent…), and the address wherever it appears. */
function redactDetails(value: unknown, address: string | undefined, addressKey: string | null, key = ''): unknown {
  if (key === 'evidence' || key === 'ip' || key === 'userAgent') return redactedValue;
  if (typeof value === 'string')
    return address !== undefined && addressKey !== null && value.toLowerCase().includes(address)
      ? value.replace(new RegExp(address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), addressKey)
      : value;
  if (Array.isArray(value)) return value.map((v) => redactDetails(v, address, addressKey));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDetails(v, address, addressKey, k)]));
  return value;
}

/**
 * Redacts the personal data in a contact's audit entries — the entries about the contact (its id) and
 * about its address (a suppression added by hand). The trail is append-only: entries are never
 * deleted or rewritten, and this redaction at the person's request is the one change allowed. It
 * keeps who did what and when, and removes what identifies the person: the evidence kept with
 * consents and unsubscribes (ip, user agent), the request address of entries the person made
 * themselves (actor `contact`; an operator's own address stays), and the email address, which
 * becomes the same hash the suppression list keeps. Each redacted entry gets `details.redacted`.
 */
export async function redactAuditEntries(
  tx: Tx,
  workspaceId: string,
  contact: { id: string; email: string | null },
): Promise<number> {
  const address = contact.email?.trim().toLowerCase() || undefined;
  const addressKey = address === undefined ? null : erasedAddressKey(address);
  const entries = await tx
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.workspaceId, workspaceId),
        or(
          and(eq(auditLog.subjectType, 'contact'), eq(auditLog.subjectId, contact.id)),
          address === undefined
            ? undefined
            : and(eq(auditLog.subjectType, 'address'), sql`lower(${auditLog.subjectId}) = ${address}`),
        ),
      ),
    );
  if (entries.length === 0) return 0;
  // One statement whatever the count, the new values travelling as one JSON parameter.
  const changes = entries.map((e) => ({
    id: e.id,
    subjectId: address !== undefined && e.subjectId.toLowerCase() === address ? (addressKey as string) : e.subjectId,
    details: { ...(redactDetails(e.details, address, addressKey) as Record<string, unknown>), redacted: 'erasure' },
    keepIp: e.actor !== 'contact',
  }));
  await tx.execute(sql`
      update audit_log a set subject_id = x.subject_id, details = x.details,
        ip = case when x.keep_ip then a.ip else null end
      from jsonb_to_recordset(${JSON.stringify(changes.map((c) => ({ id: c.id, subject_id: c.subjectId, details: c.details, keep_ip: c.keepIp })))}::jsonb)
        as x(id bigint, subject_id text, details jsonb, keep_ip boolean)
      where a.id = x.id and a.workspace_id = ${workspaceId}`);
  return entries.length;
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
