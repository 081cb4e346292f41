import type { EffectContact } from '@waymark/nodes';

/**
 * Merge tags as Waymark's emails and webhooks write them: `{{ contact.first_name }}`, with an
 * optional fallback `{{ contact.first_name | default: "there" }}`. `contact.id` and `contact.email`
 * are the contact's id and address; any other name is an attribute (dots reach into objects).
 */
const tag = /\{\{\s*(.*?)\s*\}\}/g;
const reference = /^contact\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)(?:\s*\|\s*default:\s*"([^"]*)")?$/;

/** One problem with a template: the offending tag and why. */
export interface MergeTagProblem {
  tag: string;
  message: string;
}

/** Every tag of a template that this renderer cannot fill (empty when all are fine). */
export function mergeTagProblems(template: string): MergeTagProblem[] {
  const problems: MergeTagProblem[] = [];
  for (const match of template.matchAll(tag))
    if (!reference.test(match[1] as string))
      problems.push({
        tag: match[0],
        message: `${match[0]} is not a merge tag; write {{ contact.<attribute> }} or {{ contact.<attribute> | default: "text" }}`,
      });
  return problems;
}

function lookup(contact: EffectContact, path: string): unknown {
  if (path === 'id') return contact.id;
  if (path === 'email') return contact.email;
  let value: unknown = contact.attributes;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Fills the merge tags of a template for a contact. Values are escaped for Slack, so a contact's
 * attributes cannot add mentions or links; the template's own text is left as written.
 */
export function fillMergeTags(template: string, contact: EffectContact): string {
  return template.replace(tag, (whole, inner: string) => {
    const m = reference.exec(inner);
    if (!m) return whole;
    const value = lookup(contact, m[1] as string);
    const text =
      value === undefined || value === null || value === ''
        ? (m[2] ?? '')
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
    return escapeSlack(text);
  });
}
