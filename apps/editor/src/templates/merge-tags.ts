import type { Contact } from '../api/client.ts';

/** Attributes every workspace can use even before a contact has them. */
export const commonAttributes = ['first_name', 'last_name'] as const;

/** A Liquid merge tag for a contact attribute (or `email`), with a fallback when it is empty. */
export function mergeTag(attribute: string, fallback = ''): string {
  const path = attribute === 'email' ? 'contact.email' : `contact.${attribute}`;
  const f = fallback.trim();
  return f === '' ? `{{${path}}}` : `{{${path} | default: ${JSON.stringify(f)}}}`;
}

/** The attribute names to offer: `email`, common ones, then those the given contacts have, sorted. */
export function attributesOf(contacts: readonly Contact[]): string[] {
  const seen = new Set<string>();
  for (const c of contacts)
    for (const key of Object.keys(c.attributes))
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && key !== 'email') seen.add(key);
  for (const a of commonAttributes) seen.delete(a);
  return ['email', ...commonAttributes, ...[...seen].sort()];
}

/** A contact's label in the preview picker. */
export function contactLabel(c: Contact): string {
  const first = c.attributes.first_name;
  const name = typeof first === 'string' && first !== '' ? `${first} · ` : '';
  return `${name}${c.email ?? c.id}`;
}

/** The MJML a new template starts with. */
export const starterMjml = `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text>Hello {{contact.first_name | default: "there"}},</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;
