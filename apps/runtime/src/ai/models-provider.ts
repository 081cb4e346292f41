import { createModels, ModelError, type Models, modelsOptionsFromEnv } from '@waymark/models';
import type { RuntimeConfig } from '../config.ts';
import type { AiProvider } from '../effects/worker.ts';
import type { Logger } from '../logger.ts';

/** The AI provider `loadAiProvider` builds; `close()` stops its inference threads. */
export interface ModelsAiProvider extends AiProvider {
  close(): Promise<void>;
}

/**
 * Banned words for a workspace's generated subject lines. Workspaces have no settings of their own yet,
 * so every workspace gets the installation-wide list from WAYMARK_BANNED_WORDS (comma-separated).
 */
function bannedWordsFrom(env: NodeJS.ProcessEnv): (workspaceId: string) => string[] {
  const words = (env.WAYMARK_BANNED_WORDS ?? '')
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);
  return () => words;
}

/**
 * The AI provider for the AI nodes, from configuration: with WAYMARK_MODELS_DIR, the models of
 * `@waymark/models` in worker threads (model names and pool size from WAYMARK_SENTIMENT_MODEL,
 * WAYMARK_SUBJECT_MODEL, WAYMARK_MODEL_THREADS). Models load at start, so a missing one is reported
 * then. Without a configured, loadable model the AI steps fail with the coded error
 * `model_unavailable` and nothing AI-written is sent. Texts are never logged.
 */
export async function loadAiProvider(
  config: RuntimeConfig,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ModelsAiProvider | undefined> {
  if (!config.modelsDir) {
    log.info('no AI models configured; AI steps will fail with model_unavailable (set WAYMARK_MODELS_DIR)');
    return undefined;
  }
  let models: Models | undefined;
  try {
    models = createModels({ ...modelsOptionsFromEnv(env), modelsDir: config.modelsDir });
    await models.warmup();
  } catch (e) {
    const code = e instanceof ModelError ? e.code : 'model_unavailable';
    log.error('AI models unavailable; AI steps will fail with model_unavailable', {
      code,
      message: (e as Error).message,
    });
    await models?.close();
    return undefined;
  }
  log.info('AI models ready', {
    sentiment: models.resolved.sentiment.model,
    subjects: models.resolved.subjects.model,
    modelsDir: config.modelsDir,
  });
  const bannedWords = bannedWordsFrom(env);
  return {
    async generateSubjects(request) {
      return models.generateSubjects({
        brief: request.brief,
        tone: request.tone,
        variants: request.variants,
        maxLength: request.maxLength,
        bannedWords: bannedWords(request.workspaceId),
      });
    },
    async sentiment(texts) {
      return (await models.sentiment.classify(texts)).map((r) => r.score);
    },
    close: () => models.close(),
  };
}
