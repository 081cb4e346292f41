import type { ApprovalDecidedBy } from '../api/client.ts';
import { format, type Strings } from '../strings.ts';

/**
 * Who decided, in words: the token's user (by name, with their id when it differs), a token without
 * a user, or the API key by its prefix. A reviewer the API caller named comes separately, as a label
 * the runtime did not verify, so it is never shown as if it were the person who decided.
 */
export function describeDecider(by: ApprovalDecidedBy, s: Strings): { who: string; label: string | null } {
  const label = by.reviewerLabel === null ? null : format(s.reviewerLabelGiven, { label: by.reviewerLabel });
  if (by.credential === 'apiKey') {
    const prefix = by.actor.startsWith('apiKey:') ? by.actor.slice('apiKey:'.length) : by.actor;
    return { who: format(s.decidedByApiKey, { prefix }), label };
  }
  if (by.user === null) return { who: s.decidedByEditor, label };
  const { id, name } = by.user;
  return { who: name === undefined || name === id ? id : format(s.decidedByUser, { name, id }), label };
}
