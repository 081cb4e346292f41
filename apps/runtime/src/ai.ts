import type { RuntimeConfig } from './config.ts';
import type { AiProvider } from './effects/worker.ts';
import type { Logger } from './logger.ts';

/**
 * The AI provider for the AI nodes, from configuration. Without a configured model the AI steps
 * fail with the coded error `model_unavailable` and nothing AI-written is sent.
 */
export async function loadAiProvider(_config: RuntimeConfig, _log: Logger): Promise<AiProvider | undefined> {
  return undefined;
}
