import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ensureDefaultWorkspace } from './bootstrap.ts';
import { hashSecret } from './crypto.ts';
import type { Database } from './db/client.ts';
import { apiKeys } from './db/schema.ts';
import { startBanner } from './start-banner.ts';
import { testBackends } from './testing/databases.ts';

/** The workspace a key opens, looked up as the API does: by its hash. */
const workspaceOfKey = async (database: Database, key: string) =>
  (
    await database.db
      .select({ workspaceId: apiKeys.workspaceId })
      .from(apiKeys)
      .where(eq(apiKeys.keyHash, hashSecret(key)))
  )[0]?.workspaceId;

const facts = { url: 'http://localhost:3000', signInUrl: 'http://localhost:3000/sign-in?token=t' };

for (const backend of testBackends) {
  describe.skipIf(backend.skip)(`the default workspace's key at first start (${backend.name})`, () => {
    it('never hands back a configured WAYMARK_API_KEY, and the banner says it is in use without showing it', async () => {
      const database = await backend.open();
      try {
        const configured = 'wm_configured_9f8e7d6c5b4a39281706';
        const first = await ensureDefaultWorkspace(database.db, configured);
        expect(first).toMatchObject({ created: true, keySource: 'configured', apiKey: undefined });
        expect(await workspaceOfKey(database, configured)).toBe('default');
        const banner = startBanner({ ...facts, apiKey: first.apiKey, keyConfigured: true });
        expect(banner).not.toContain(configured);
        expect(banner).not.toContain(configured.slice(0, 9));
        expect(banner).toContain('the configured WAYMARK_API_KEY is in use');
        const again = await ensureDefaultWorkspace(database.db, configured);
        expect(again).toMatchObject({ created: false, keySource: 'configured', apiKey: undefined });
      } finally {
        await database.close();
      }
    });

    it('shows a generated key once, at the start that generated it', async () => {
      const database = await backend.open();
      try {
        const first = await ensureDefaultWorkspace(database.db, undefined);
        expect(first).toMatchObject({ created: true, keySource: 'generated', apiKey: expect.stringMatching(/^wm_/) });
        expect(await workspaceOfKey(database, first.apiKey as string)).toBe('default');
        expect(startBanner({ ...facts, apiKey: first.apiKey, keyConfigured: false })).toContain(
          `API key for the default workspace (generated, shown once, keep it): ${first.apiKey}`,
        );
        const again = await ensureDefaultWorkspace(database.db, undefined);
        expect(again).toMatchObject({ created: false, keySource: 'existing', apiKey: undefined });
        expect(startBanner({ ...facts, apiKey: again.apiKey, keyConfigured: false })).not.toContain('wm_');
      } finally {
        await database.close();
      }
    });
  });
}
