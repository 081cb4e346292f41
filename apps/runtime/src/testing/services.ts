import { randomUUID } from 'node:crypto';
import { defaultRegistry } from '@waymark/nodes';
import { loadSecrets } from '../bootstrap.ts';
import { readConfig } from '../config.ts';
import type { Database } from '../db/client.ts';
import { createLogger } from '../logger.ts';
import type { Services } from '../services.ts';

/** Services over a test database, with a silent logger and a fixed public URL. */
export async function testServices(database: Database, env: NodeJS.ProcessEnv = {}): Promise<Services> {
  const config = readConfig({
    WAYMARK_PUBLIC_URL: 'http://waymark.test',
    WAYMARK_LOG_LEVEL: 'silent',
    WAYMARK_FROM: 'Acme <news@acme.test>',
    ...env,
  });
  return {
    config,
    smtpUrl: config.smtpUrl ?? 'smtp://127.0.0.1:25',
    database,
    db: database.db,
    registry: defaultRegistry(),
    secrets: await loadSecrets(database.db),
    log: createLogger('silent'),
    wake: { scheduler() {}, delivery() {}, origin: randomUUID() },
  };
}
