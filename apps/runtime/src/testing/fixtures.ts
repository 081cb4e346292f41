import { randomBytes } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { contacts, outbox, templates, workspaces } from '../db/schema.ts';

/** A unique id for test rows, so suites sharing a database never collide. */
export function uid(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Inserts a workspace. */
export async function addWorkspace(db: Db, values: { sendRatePerSecond?: number } = {}): Promise<string> {
  const id = uid('ws');
  await db.insert(workspaces).values({ id, name: id, ...values });
  return id;
}

/** Inserts a contact. */
export async function addContact(
  db: Db,
  workspaceId: string,
  values: { email?: string | null; attributes?: Record<string, unknown> } = {},
): Promise<string> {
  const id = uid('c');
  await db.insert(contacts).values({
    workspaceId,
    id,
    email: values.email === undefined ? `${id}@example.test` : values.email,
    attributes: values.attributes ?? {},
  });
  return id;
}

/** A small MJML template with a merge tag, a link and an unsubscribe link. */
export const sampleMjml = `<mjml><mj-body><mj-section><mj-column>
<mj-text>Hello {{ contact.first_name | default: "there" }}!</mj-text>
<mj-button href="https://shop.example/offer?c={{ contact.id }}">See the offer</mj-button>
<mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text>
</mj-column></mj-section></mj-body></mjml>`;

/** Inserts a template; one with a `topic` is a marketing email. */
export async function addTemplate(
  db: Db,
  workspaceId: string,
  values: { subject?: string; mjml?: string; topic?: string } = {},
): Promise<string> {
  const id = uid('t');
  await db.insert(templates).values({
    workspaceId,
    id,
    name: id,
    subject: values.subject ?? 'Hi {{ contact.first_name }}',
    mjml: values.mjml ?? sampleMjml,
    topic: values.topic ?? null,
  });
  return id;
}

/** Inserts pending email rows of the outbox; returns their ids. */
export async function addEmails(
  db: Db,
  workspaceId: string,
  rows: { contactId: string; payload: Record<string, unknown>; node?: string; versionId?: string }[],
): Promise<number[]> {
  if (rows.length === 0) return [];
  const inserted = await db
    .insert(outbox)
    .values(
      rows.map((r) => ({
        workspaceId,
        key: uid('run'),
        kind: 'email',
        journeyId: 'j1',
        versionId: r.versionId ?? 'v1',
        runId: uid('run'),
        contactId: r.contactId,
        node: r.node ?? 'send',
        payload: r.payload,
      })),
    )
    .returning({ id: outbox.id });
  return inserted.map((r) => r.id);
}
