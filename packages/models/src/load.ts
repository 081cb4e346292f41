import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { env, pipeline } from '@huggingface/transformers';
import { type ModelSpec, modelCatalog } from './catalog.ts';
import { ModelError } from './errors.ts';

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

function unavailable(spec: ModelSpec, modelsDir: string | undefined, reason: string, cause?: unknown): ModelError {
  const known = Object.values(modelCatalog)
    .filter((s) => s.kind === spec.kind)
    .map((s) => s.model)
    .join(', ');
  const where = modelsDir
    ? `Put the model folder "${spec.model}" (config.json, tokenizer.json, onnx/*.onnx) in WAYMARK_MODELS_DIR=${modelsDir}, or set ${envVariable(spec)} to one that is there (known: ${known})`
    : `Set WAYMARK_MODELS_DIR to a folder holding "${spec.model}" (the hub cannot be reached from here), or let this machine reach the Hugging Face hub`;
  return new ModelError(
    'model_unavailable',
    `${role(spec)} model "${spec.model}" is unavailable: ${reason}. ${where}.`,
    cause === undefined ? undefined : { cause },
  );
}

// Transformers.js keeps its file settings in one global object, so loads in a thread run one at a time.
let loading: Promise<unknown> = Promise.resolve();

/**
 * Loads a model's pipeline from the models folder (never the network) or, without one, from the hub by
 * name. Every failure becomes one `model_unavailable` error naming what to configure.
 */
export function loadPipeline(
  spec: ModelSpec,
  modelsDir: string | undefined,
  intraOpThreads?: number | undefined,
): Promise<unknown> {
  const run = async () => {
    if (modelsDir !== undefined && !existsSync(join(modelsDir, spec.model, 'config.json')))
      throw unavailable(spec, modelsDir, `${join(modelsDir, spec.model, 'config.json')} does not exist`);
    env.allowLocalModels = modelsDir !== undefined;
    env.allowRemoteModels = modelsDir === undefined;
    if (modelsDir !== undefined) env.localModelPath = `${modelsDir}/`;
    try {
      return await pipeline(taskOf(spec), spec.model, {
        dtype: spec.dtype,
        device: 'cpu',
        ...(intraOpThreads === undefined ? {} : { session_options: { intraOpNumThreads: intraOpThreads } }),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const reason = err.cause?.code ? `${err.message} (${err.cause.code})` : err.message;
      throw unavailable(spec, modelsDir, reason, e);
    }
  };
  const result = loading.then(run, run);
  loading = result.catch(() => undefined);
  return result;
}
