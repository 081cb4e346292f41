import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { env, pipeline } from '@huggingface/transformers';
import { emailToneTinyBert, type ModelSpec, modelCatalog, subjectLineTinyGpt2 } from './catalog.ts';
import { ModelError } from './errors.ts';
import { fetchWithIdleTimeout } from './hub-fetch.ts';
import type { HubOptions } from './settings.ts';

/** One label's probability, as a text-classification pipeline reports it. */
export interface LabelProbability {
  label: string;
  score: number;
}

/** The parts of a Transformers.js text-classification pipeline this package uses. */
export interface ClassifierPipeline {
  (texts: string[], options: { top_k: null }): Promise<LabelProbability[][]>;
  model: { config: { id2label?: Record<string, string> } };
  dispose(): Promise<void>;
}

/** A token-id tensor as Transformers.js returns it. */
export interface TokenTensor {
  dims: number[];
  tolist(): (number | bigint)[][];
}

/**
 * The parts of a Transformers.js text-generation or text2text-generation pipeline this package uses: its
 * tokenizer and model, driven directly because the pipeline keeps the tokens a batched sequence
 * produces after its end-of-text token.
 */
export interface GeneratorPipeline {
  tokenizer: {
    padding_side: string;
    (
      texts: string[],
      options: { padding?: boolean; truncation?: boolean; add_special_tokens: boolean },
    ): { input_ids: TokenTensor; attention_mask: TokenTensor };
    decode(ids: (number | bigint)[], options: { skip_special_tokens: boolean }): string;
  };
  model: {
    generate(options: Record<string, unknown>): Promise<TokenTensor>;
    config: { eos_token_id?: number | number[]; n_positions?: number; max_position_embeddings?: number };
    generation_config?: { eos_token_id?: number | number[] | null } | null;
  };
  dispose(): Promise<void>;
}

const taskOf = (spec: ModelSpec) => (spec.kind === 'sentiment' ? 'text-classification' : spec.task);
const envVariable = (spec: ModelSpec) =>
  spec.kind === 'sentiment' ? 'WAYMARK_SENTIMENT_MODEL' : 'WAYMARK_SUBJECT_MODEL';
const role = (spec: ModelSpec) => (spec.kind === 'sentiment' ? 'sentiment' : 'subject-line');

const defaultHost = 'https://huggingface.co/';

function unavailable(
  spec: ModelSpec,
  modelsDir: string | undefined,
  reason: string,
  cause?: unknown,
  hub: HubOptions = {},
): ModelError {
  const small = spec.kind === 'sentiment' ? emailToneTinyBert.model : subjectLineTinyGpt2.model;
  const ready = `packages/models/test-models holds a small ready one, "${small}"`;
  const known = Object.values(modelCatalog)
    .filter((s) => s.kind === spec.kind)
    .map((s) => s.model)
    .join(', ');
  const where = modelsDir
    ? `Put the model folder "${spec.model}" (config.json, tokenizer.json, onnx/*.onnx) in WAYMARK_MODELS_DIR=${modelsDir}, or set ${envVariable(spec)} to one that is there (known: ${known})`
    : hub.offline
      ? `Downloads are off (WAYMARK_MODELS_OFFLINE) and "${spec.model}" is not in the cache${hub.cacheDir ? ` ${hub.cacheDir}` : ''}: set WAYMARK_MODELS_DIR to a folder of models (${ready}), or allow one download`
      : `Set WAYMARK_MODELS_DIR to a folder of models (${ready}), or let this machine reach ${hub.host ?? defaultHost} (WAYMARK_MODELS_HOST) to download "${spec.model}" once`;
  return new ModelError(
    'model_unavailable',
    `${role(spec)} model "${spec.model}" is unavailable: ${reason}. ${where}.`,
    cause === undefined ? undefined : { cause },
  );
}

// Transformers.js keeps its file settings in one global object, so loads in a thread run one at a time.
let loading: Promise<unknown> = Promise.resolve();

const originalFetch = env.fetch;
const originalCacheDir = env.cacheDir;

/** Points Transformers.js's global file settings at the folder, or at the hub and its cache. */
function configureSource(modelsDir: string | undefined, hub: HubOptions): void {
  if (modelsDir !== undefined) {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    env.localModelPath = `${modelsDir}/`;
    env.fetch = originalFetch;
    return;
  }
  env.cacheDir = hub.cacheDir ?? originalCacheDir;
  env.remoteHost = hub.host ?? defaultHost;
  if (hub.offline) {
    // The cache keeps one sub-folder per model, the layout of a models folder: read it as one.
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    env.localModelPath = `${env.cacheDir}/`;
    env.fetch = originalFetch;
  } else {
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
    env.fetch = fetchWithIdleTimeout(hub.idleTimeoutMs ?? 30_000);
  }
}

/**
 * Loads a model's pipeline from the models folder (never the network) or, without one, by name from
 * the hub's cache folder, downloading it there first unless `hub.offline`. A download that goes quiet
 * for `hub.idleTimeoutMs` is abandoned. Every failure becomes one `model_unavailable` error naming
 * what to configure.
 */
export function loadPipeline(
  spec: ModelSpec,
  modelsDir: string | undefined,
  intraOpThreads?: number | undefined,
  hub: HubOptions = {},
): Promise<unknown> {
  const run = async () => {
    if (modelsDir !== undefined && !existsSync(join(modelsDir, spec.model, 'config.json')))
      throw unavailable(spec, modelsDir, `${join(modelsDir, spec.model, 'config.json')} does not exist`);
    configureSource(modelsDir, hub);
    try {
      return await pipeline(taskOf(spec), spec.model, {
        dtype: spec.dtype,
        device: 'cpu',
        ...(intraOpThreads === undefined ? {} : { session_options: { intraOpNumThreads: intraOpThreads } }),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const reason = err.cause?.code ? `${err.message} (${err.cause.code})` : err.message;
      throw unavailable(spec, modelsDir, reason, e, hub);
    }
  };
  const result = loading.then(run, run);
  loading = result.catch(() => undefined);
  return result;
}
