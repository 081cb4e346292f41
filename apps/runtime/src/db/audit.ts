import type { Db, Tx } from './client.ts';
import { auditLog } from './schema.ts';

/** One entry of the audit trail. */
export interface AuditEntry {
  workspaceId: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  details?: Record<string, unknown>;
  ip?: string | undefined;
}

/** Appends to the audit trail, in the caller's transaction so the record and the change commit together. */
export async function recordAudit(db: Db | Tx, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    workspaceId: entry.workspaceId,
    actor: entry.actor,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId,
    details: entry.details ?? {},
    ip: entry.ip ?? null,
  });
}
