import type { NodeRegistry } from '@waymark/nodes';
import type { AiProvider } from './ai/provider.ts';
import type { ServerSecrets } from './bootstrap.ts';
import type { RuntimeConfig } from './config.ts';
import type { Database, Db } from './db/client.ts';
import type { Logger } from './logger.ts';

/** What every part of the runtime shares: configuration, database, node registry, secrets, logger. */
export interface Services {
  config: RuntimeConfig;
  database: Database;
  db: Db;
  registry: NodeRegistry;
  secrets: ServerSecrets;
  log: Logger;
  /** Where email goes: SMTP_URL, or the built-in development sink. */
  smtpUrl: string;
  /**
   * Wakes this process's workers at once (other processes are woken through NOTIFY). `origin` is
   * the payload of the NOTIFYs sent by a process that also woke itself directly: its own listeners
   * skip them instead of looking for work a second time.
   */
  wake: { scheduler(): void; delivery(): void; origin: string };
  /** The AI models; undefined when none is configured (AI routes answer `model_unavailable`). */
  ai?: AiProvider | undefined;
  /** Epoch ms now, for the live audience (segment windows, date triggers, RFM); tests move it. Default: the system clock. */
  clock?: (() => number) | undefined;
}

/**
 * Listens on `channel` for wake-ups from other processes: NOTIFYs this process sent itself (tagged
 * with `services.wake.origin`) are skipped, since whoever sent them woke this process's workers
 * directly. Resolves with a function that stops listening.
 */
export function listenToOthers(
  services: Pick<Services, 'database' | 'wake'>,
  channel: string,
  onWake: () => void,
): Promise<() => Promise<void>> {
  return services.database.listen(channel, (origin) => {
    if (origin !== services.wake.origin) onWake();
  });
}
