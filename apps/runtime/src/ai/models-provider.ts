import { createModels, ModelError, type Models, modelsOptionsFromEnv } from '@waymark/models';
import type { RuntimeConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { AiProvider } from './provider.ts';

/** The AI provider `loadAiProvider` builds; `close()` stops its inference threads. */
export interface ModelsAiProvider extends AiProvider {
  close(): Promise<void>;
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
  return {
    generateSubjects: (request) =>
      models.subjects.generate({
        brief: request.brief,
        tone: request.tone,
        variants: request.variants,
        maxLength: request.maxLength,
        bannedWords: request.bannedWords,
      }),
    sentiment: (texts) => models.sentiment.classify(texts),
    close: () => models.close(),
  };
}
