import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.ts';
import { insertEvents } from '../db/events.ts';
import { journeyVersions, outbox } from '../db/schema.ts';
import type { Services } from '../services.ts';
import { testBackends } from '../testing/databases.ts';
import { addContact, addEmails, addTemplate, addWorkspace, uid } from '../testing/fixtures.ts';
import { testServices } from '../testing/services.ts';
import { startTestSmtp } from '../testing/smtp-sink.ts';
import { createDelivery } from './worker.ts';

/** A published version whose settings the send-time checks read. */
async function addVersion(db: Services['db'], workspaceId: string, settings: Record<string, unknown>): Promise<string> {
  const id = uid('v');
  await db.insert(journeyVersions).values({
    id,
    workspaceId,
    journeyId: 'j1',
    version: 1,
    hash: id,
    definition: { schemaVersion: 1, id: 'j1', settings, nodes: [], edges: [] },
  });
  return id;
}

for (const backend of testBackends) {
  describe.skipIf(backend.skip)(`send-time journey rules (${backend.name})`, () => {
    let database: Database;
    let services: Services;
    let smtp: Awaited<ReturnType<typeof startTestSmtp>>;

    beforeAll(async () => {
      database = await backend.open();
      services = await testServices(database);
      smtp = await startTestSmtp();
    }, 60_000);
    afterAll(async () => {
      await smtp?.close();
      await database?.close();
    });

    const statusOf = async (ids: number[]) =>
      (await services.db.select().from(outbox).where(inArray(outbox.id, ids)).orderBy(outbox.id)).map((r) => ({
        status: r.status,
        next: r.nextAttemptAt,
      }));

    it('skips an email queued before the contact reached an exit goal', async () => {
      const ws = await addWorkspace(services.db);
      const template = await addTemplate(services.db, ws);
      const versionId = await addVersion(services.db, ws, { exitOn: [{ event: 'order_completed' }] });
      const ann = await addContact(services.db, ws, { email: `${uid('ann')}@example.test` });
      const bob = await addContact(services.db, ws, { email: `${uid('bob')}@example.test` });
      const ids = await addEmails(services.db, ws, [
        { contactId: ann, payload: { kind: 'email', template }, versionId },
        { contactId: bob, payload: { kind: 'email', template }, versionId },
      ]);
      await new Promise((r) => setTimeout(r, 20));
      await insertEvents(services.db, [
        { workspaceId: ws, contactId: ann, name: 'order_completed', at: new Date(), properties: {} },
      ]);
      const delivery = createDelivery(services, { smtpUrl: smtp.url });
      await delivery.runOnce();
      await delivery.stop();
      expect((await statusOf(ids)).map((r) => r.status)).toEqual(['skipped', 'sent']);
      expect(smtp.received.flatMap((m) => m.envelope.to)).not.toContain(expect.stringContaining('ann'));
    });

    it('holds an email due inside quiet hours until the window ends, in the contact time zone', async () => {
      const ws = await addWorkspace(services.db);
      const template = await addTemplate(services.db, ws);
      // A quiet window around the current hour in UTC, so the email is inside it whatever the time.
      const hour = new Date().getUTCHours();
      const pad = (h: number) => String((h + 24) % 24).padStart(2, '0');
      const versionId = await addVersion(services.db, ws, {
        timezone: 'UTC',
        quietHours: { start: `${pad(hour)}:00`, end: `${pad(hour + 2)}:00` },
      });
      const cy = await addContact(services.db, ws, {
        email: `${uid('cy')}@example.test`,
        attributes: { timezone: 'UTC' },
      });
      const [id] = await addEmails(services.db, ws, [
        { contactId: cy, payload: { kind: 'email', template }, versionId },
      ]);
      const delivery = createDelivery(services, { smtpUrl: smtp.url });
      await delivery.runOnce();
      await delivery.stop();
      const [row] = await statusOf([id as number]);
      expect(row?.status).toBe('pending');
      const end = new Date();
      end.setUTCHours(hour + 2, 0, 0, 0);
      expect(Math.abs((row?.next.getTime() ?? 0) - end.getTime())).toBeLessThan(5_000);
    });

    it('skips an email over the frequency cap counted from what was actually sent', async () => {
      const ws = await addWorkspace(services.db);
      const template = await addTemplate(services.db, ws);
      const versionId = await addVersion(services.db, ws, { frequencyCap: { max: 1, per: 'P1D' } });
      const dee = await addContact(services.db, ws, { email: `${uid('dee')}@example.test` });
      const [first] = await addEmails(services.db, ws, [
        { contactId: dee, payload: { kind: 'email', template }, versionId },
      ]);
      const delivery = createDelivery(services, { smtpUrl: smtp.url });
      await delivery.runOnce();
      const [second] = await addEmails(services.db, ws, [
        { contactId: dee, payload: { kind: 'email', template }, versionId },
      ]);
      await delivery.runOnce();
      await delivery.stop();
      expect((await statusOf([first as number, second as number])).map((r) => r.status)).toEqual(['sent', 'skipped']);
    });
  });
}
