import { join } from 'node:path';
import {
  createModels,
  ModelError,
  type Models,
  type ModelsOptions,
  modelsOptionsFromEnv,
  resolveModels,
} from '@waymark/models';
import type { RuntimeConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { AiProvider } from './provider.ts';

/** The AI provider `loadAiProvider` builds; `close()` stops its inference threads. */
export interface ModelsAiProvider extends AiProvider {
  close(): Promise<void>;
}

/** Where downloaded models are kept, under the data folder. */
export const modelsCacheDir = (config: Pick<RuntimeConfig, 'dataDir'>) => join(config.dataDir, 'models-cache');

/** A provider whose every call fails with the configuration error found at start. */
function failing(error: ModelError): ModelsAiProvider {
  return {
    generateSubjects: () => Promise.reject(error),
    sentiment: () => Promise.reject(error),
    close: async () => {},
  };
}

/**
 * The AI provider for the AI nodes, from configuration, with the models of `@waymark/models` in worker
 * threads (model names and pool size from WAYMARK_SENTIMENT_MODEL, WAYMARK_SUBJECT_MODEL,
 * WAYMARK_MODEL_THREADS):
 *
 * - with WAYMARK_MODELS_DIR, from that folder, never the network; they load at start, so a missing
 *   one is reported then;
 * - otherwise the default hub models by name, downloaded on first use into `<dataDir>/models-cache`
 *   from the hub (or WAYMARK_MODELS_HOST); a download that goes quiet is abandoned. With
 *   WAYMARK_MODELS_OFFLINE=1 nothing is downloaded and only that cache is read.
 *
 * A model that cannot be loaded fails each AI step with the coded error `model_unavailable` naming what
 * to configure, and nothing AI-written is sent; a failed load is tried again on the next use. Texts
 * are never logged.
 */
export async function loadAiProvider(
  config: RuntimeConfig,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ModelsAiProvider> {
  let options: ModelsOptions;
  try {
    options = {
      ...modelsOptionsFromEnv(env),
      modelsDir: config.modelsDir,
      hub: { host: config.modelsHost, offline: config.modelsOffline ?? false, cacheDir: modelsCacheDir(config) },
    };
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    log.error('AI models misconfigured; AI steps will fail', { code: e.code, message: e.message });
    return failing(e);
  }
  let models: Models | undefined;
  // The worker threads start with the first AI request: a runtime whose journeys use no AI pays nothing.
  const open = (): Models => {
    models ??= createModels(options);
    return models;
  };
  try {
    const resolved = resolveModels(options);
    if (config.modelsDir) {
      await open().warmup();
      log.info('AI models ready', {
        sentiment: resolved.sentiment.model,
        subjects: resolved.subjects.model,
        modelsDir: config.modelsDir,
      });
    } else
      log.info(
        resolved.hub.offline
          ? 'AI models are read from the cache only (WAYMARK_MODELS_OFFLINE); set WAYMARK_MODELS_DIR for a folder of models'
          : 'AI models are downloaded from the hub on first use (set WAYMARK_MODELS_DIR for a local folder, WAYMARK_MODELS_OFFLINE=1 to forbid downloads)',
        {
          sentiment: resolved.sentiment.model,
          subjects: resolved.subjects.model,
          host: resolved.hub.host ?? 'https://huggingface.co/',
          cacheDir: resolved.hub.cacheDir,
        },
      );
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    if (e.code === 'model_misconfigured') {
      log.error('AI models misconfigured; AI steps will fail', { code: e.code, message: e.message });
      await models?.close();
      return failing(e);
    }
    // Loading is tried again on each use; until it works, AI steps fail with this error.
    log.error('AI models unavailable; AI steps will fail with model_unavailable', {
      code: e.code,
      message: e.message,
    });
  }
  return {
    generateSubjects: (request) =>
      open().subjects.generate({
        brief: request.brief,
        tone: request.tone,
        variants: request.variants,
        maxLength: request.maxLength,
        bannedWords: request.bannedWords,
      }),
    sentiment: (texts) => open().sentiment.classify(texts),
    close: async () => {
      await models?.close();
    },
  };
}
