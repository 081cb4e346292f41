import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.ts';
import { contactPreferences } from '../db/preferences-schema.ts';
import { rowsOf } from '../db/rows.ts';
import { heldEmails, outbox } from '../db/schema.ts';
import { bumpStats } from '../db/stats.ts';
import { bodyFragment, escapeHtml } from '../templates/html.ts';
import { digestKey, type HeldContent } from './email-queue.ts';

/** A digest is due this long after the first email it gathers was held. */
export const digestDelayMs = 7 * 86_400_000;

/**
 * Gathers a contact's held emails that no digest has gathered yet into a new digest: an `email` row
 * of the outbox (payload `{ digest: true, emails }`, due at once) that the held rows then point at
 * (`digest_id`). Runs in the caller's transaction, so the digest and the marks commit together; a
 * second gathering of the same emails (another process) finds them locked or gathered, and the
 * digest's key, derived from the first email, is unique. Returns the digest's id and how many
 * emails it gathered, or undefined when there were none.
 */
export async function gatherDigest(
  tx: Tx,
  workspaceId: string,
  contactId: string,
): Promise<{ id: number; emails: number } | undefined> {
  const held = await tx
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.workspaceId, workspaceId),
        eq(outbox.contactId, contactId),
        eq(outbox.status, 'held'),
        isNull(outbox.digestId),
      ),
    )
    .orderBy(asc(outbox.id))
    .for('update', { skipLocked: true });
  const first = held[0];
  if (!first) return undefined;
  const [digest] = await tx
    .insert(outbox)
    .values({
      workspaceId,
      key: digestKey(first.id),
      kind: 'email',
      // A digest belongs to no journey; the emails it carries do, and count at their own steps.
      journeyId: '',
      versionId: '',
      runId: '',
      contactId,
      node: 'digest',
      payload: { digest: true, emails: held.length },
    })
    .onConflictDoNothing()
    .returning({ id: outbox.id });
  if (!digest) return undefined;
  await tx
    .update(outbox)
    .set({ digestId: digest.id })
    .where(
      inArray(
        outbox.id,
        held.map((h) => h.id),
      ),
    );
  return { id: digest.id, emails: held.length };
}

/**
 * Gathers the digests that are due, one transaction each: for every contact with held emails that
 * no digest has gathered yet, when the first of them was held a week or more before `now`, or when
 * the contact no longer wants a digest (what was held then goes out as one digest at once; the
 * preference center gathers it when the choice is saved, this catches an email held while the
 * choice was being saved). Returns how many digests it made, at most `limit`.
 */
export async function gatherDueDigests(db: Db, now: number, limit = 100): Promise<number> {
  const due = rowsOf<{ workspace_id: string; contact_id: string }>(
    await db.execute(sql`
      select o.workspace_id, o.contact_id
      from ${outbox} o
      join ${heldEmails} h on h.outbox_id = o.id
      left join ${contactPreferences} p on p.workspace_id = o.workspace_id and p.contact_id = o.contact_id
      where o.status = 'held' and o.digest_id is null
      group by o.workspace_id, o.contact_id
      having min(h.held_at) <= ${new Date(now - digestDelayMs).toISOString()}::timestamptz
        or bool_or(p.frequency is distinct from 'digest')
      limit ${limit}`),
  );
  let made = 0;
  for (const d of due) if (await db.transaction((tx) => gatherDigest(tx, d.workspace_id, d.contact_id))) made++;
  return made;
}

/**
 * Drops a contact's held emails, those a digest has gathered but not sent included: `skipped` with
 * `reason`, their content deleted, counted as `skipped:<reason>` at their steps. Runs in the
 * caller's transaction (an unsubscribe from all email). Returns how many it dropped.
 */
export async function dropHeldEmails(
  tx: Tx,
  workspaceId: string,
  contactId: string,
  reason: 'suppressed',
): Promise<number> {
  const dropped = await tx
    .update(outbox)
    .set({ status: 'skipped', lastError: reason, doneAt: sql`now()` })
    .where(and(eq(outbox.workspaceId, workspaceId), eq(outbox.contactId, contactId), eq(outbox.status, 'held')))
    .returning({ id: outbox.id, versionId: outbox.versionId, node: outbox.node });
  if (dropped.length === 0) return 0;
  await tx.delete(heldEmails).where(
    inArray(
      heldEmails.outboxId,
      dropped.map((d) => d.id),
    ),
  );
  await bumpStats(
    tx,
    dropped.map((d) => ({ workspaceId, versionId: d.versionId, node: d.node, metric: `skipped:${reason}`, by: 1 })),
  );
  return dropped.length;
}

/** What a digest is made of: the workspace it comes from, the held emails it carries, and its own links. */
export interface DigestInput {
  workspaceName: string;
  parts: readonly HeldContent[];
  links: { preferencesUrl: string; unsubscribeUrl: string };
}

const font = 'font-family:Arial,Helvetica,sans-serif';

/**
 * Composes a digest email: the subject "Your weekly digest: N updates", an HTML part with one
 * section per held email — its subject as a heading and its body's content (see
 * {@link bodyFragment}, so that no email's markup can reach into another's section) — and a text
 * part of the same, both ending with the digest's own preference-center and unsubscribe links.
 */
export function composeDigest(input: DigestInput): HeldContent {
  const n = input.parts.length;
  const subject = `Your weekly digest: ${n} ${n === 1 ? 'update' : 'updates'}`;
  const title = `Your weekly digest from ${input.workspaceName}`;
  const intro = `${n === 1 ? 'One email' : `${n} emails`} gathered for you since your last digest.`;
  const why = 'You get these emails together, once a week.';
  const { preferencesUrl, unsubscribeUrl } = input.links;
  const sections = input.parts.map(
    (p) => `<tr><td style="padding:0 0 16px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#ffffff;border-radius:6px">
<tr><td style="padding:16px 16px 0;${font}"><h2 style="margin:0;font-size:18px;line-height:24px;color:#111827">${escapeHtml(p.subject)}</h2></td></tr>
<tr><td>${bodyFragment(p.html)}</td></tr>
</table></td></tr>`,
  );
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:0;background-color:#f3f4f6">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f3f4f6"><tr><td align="center" style="padding:24px 8px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px">
<tr><td style="padding:0 8px 16px;${font};color:#111827"><h1 style="margin:0;font-size:22px;line-height:28px">${escapeHtml(title)}</h1>
<p style="margin:8px 0 0;font-size:14px;line-height:20px;color:#4b5563">${escapeHtml(intro)}</p></td></tr>
${sections.join('\n')}
<tr><td style="padding:8px;${font};font-size:12px;line-height:18px;color:#6b7280;text-align:center">${escapeHtml(why)}<br>
<a href="${escapeHtml(preferencesUrl)}" style="color:#6b7280" data-wm-notrack>Email preferences</a> &middot; <a href="${escapeHtml(unsubscribeUrl)}" style="color:#6b7280" data-wm-notrack>Unsubscribe</a></td></tr>
</table></td></tr></table>
</body></html>
`;
  const text = [
    `${title}`,
    intro,
    ...input.parts.map(
      (p) => `${'-'.repeat(60)}\n\n${p.subject}\n${'='.repeat(Math.min(60, p.subject.length))}\n\n${p.text.trim()}`,
    ),
    `${'-'.repeat(60)}\n\n${why}\nEmail preferences: ${preferencesUrl}\nUnsubscribe: ${unsubscribeUrl}\n`,
  ].join('\n\n');
  return { subject, html, text };
}
