import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  defaultModels,
  emailToneTinyBert,
  type ModelSpec,
  modelCatalog,
  type SentimentModelSpec,
  type SubjectModelSpec,
  subjectLineTinyGpt2,
} from './catalog.ts';
import { ModelError } from './errors.ts';

/** The folder of the small test models shipped with this package (`email-tone-tiny-bert`, `subject-line-tiny-gpt2`). */
export const testModelsDir: string = fileURLToPath(new URL('../test-models', import.meta.url));

/** Where models without a local folder come from: the Hugging Face hub (or a mirror), cached on disk. */
export interface HubOptions {
  /** The hub's address; default `https://huggingface.co/`. */
  host?: string | undefined;
  /** Where downloaded models are kept (one sub-folder per model); default Transformers.js's own cache. */
  cacheDir?: string | undefined;
  /** Never download: only models already in `cacheDir` load. */
  offline?: boolean | undefined;
  /** A download that receives nothing for this long fails with `model_unavailable`. Default 30 s. */
  idleTimeoutMs?: number | undefined;
}

/** How to load and run the models. */
export interface ModelsOptions {
  /** A folder holding one sub-folder per model; when set, nothing is fetched from the hub. */
  modelsDir?: string | undefined;
  /** Without `modelsDir`: where the hub is, where downloads are kept, and whether downloading is allowed. */
  hub?: HubOptions | undefined;
  /** A catalogue name, or a full configuration for a model the catalogue does not know. */
  sentiment?: string | SentimentModelSpec | undefined;
  /** A catalogue name, or a full configuration for a model the catalogue does not know. */
  subjects?: string | SubjectModelSpec | undefined;
  /** Worker threads for inference; 0 runs inference in the calling thread. Default 1. */
  threads?: number | undefined;
  /** Results kept in the LRU cache (0 disables it). Default 2,000. */
  cacheSize?: number | undefined;
  /** Most texts classified in one batch. Default 32. */
  maxBatch?: number | undefined;
}

/** Which models to load and from where, after defaults and the catalogue are applied. */
export interface ResolvedModels {
  modelsDir: string | undefined;
  /** Used only without `modelsDir`. */
  hub: HubOptions;
  sentiment: SentimentModelSpec;
  subjects: SubjectModelSpec;
  /** ONNX Runtime threads per model session; undefined lets ONNX Runtime use every core. */
  intraOpThreads?: number | undefined;
}

function fromCatalog<K extends ModelSpec['kind']>(
  kind: K,
  value: string | Extract<ModelSpec, { kind: K }>,
  variable: string,
): Extract<ModelSpec, { kind: K }> {
  if (typeof value !== 'string') return value;
  const spec = modelCatalog[value];
  if (!spec || spec.kind !== kind) {
    const known = Object.values(modelCatalog)
      .filter((s) => s.kind === kind)
      .map((s) => s.model);
    throw new ModelError(
      'model_misconfigured',
      `${variable}: "${value}" is not a known ${kind} model; use one of ${known.join(', ')} (other models are configured in code with their prompt and label scores)`,
    );
  }
  return spec as Extract<ModelSpec, { kind: K }>;
}

/** In a models folder without an explicit choice, the first of these present is used. */
function firstPresent(dir: string, names: readonly string[]): string {
  return names.find((n) => existsSync(join(dir, n, 'config.json'))) ?? (names[0] as string);
}

/**
 * Applies defaults: named models come from the catalogue; without names, a models folder uses the hub
 * default's folder when present and otherwise the test model's, and without a folder the hub defaults load.
 */
export function resolveModels(options: ModelsOptions = {}): ResolvedModels {
  const modelsDir = options.modelsDir ? resolve(options.modelsDir) : undefined;
  const sentimentName =
    options.sentiment ??
    (modelsDir ? firstPresent(modelsDir, [defaultModels.sentiment, emailToneTinyBert.model]) : defaultModels.sentiment);
  const subjectsName =
    options.subjects ??
    (modelsDir ? firstPresent(modelsDir, [defaultModels.subjects, subjectLineTinyGpt2.model]) : defaultModels.subjects);
  const hub = options.hub ?? {};
  return {
    modelsDir,
    hub: {
      host: hub.host,
      cacheDir: hub.cacheDir ? resolve(hub.cacheDir) : undefined,
      offline: hub.offline ?? false,
      idleTimeoutMs: hub.idleTimeoutMs ?? 30_000,
    },
    sentiment: fromCatalog('sentiment', sentimentName, 'WAYMARK_SENTIMENT_MODEL'),
    subjects: fromCatalog('subjects', subjectsName, 'WAYMARK_SUBJECT_MODEL'),
  };
}

function count(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new ModelError('model_misconfigured', `${name} must be a whole number, got "${value}"`);
  return n;
}

/** A yes/no environment variable: `1`/`true`/`yes` or `0`/`false`/`no` (any case); unset is undefined. */
export function flag(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes'].includes(v)) return true;
  if (['0', 'false', 'no'].includes(v)) return false;
  throw new ModelError('model_misconfigured', `${name} must be 1 or 0 (true or false), got "${value}"`);
}

/**
 * Reads model options from the environment: `WAYMARK_MODELS_DIR`, `WAYMARK_SENTIMENT_MODEL`,
 * `WAYMARK_SUBJECT_MODEL`, `WAYMARK_MODEL_THREADS`, `WAYMARK_MODEL_CACHE_SIZE`, and for the hub
 * `WAYMARK_MODELS_HOST`, `WAYMARK_MODELS_CACHE` and `WAYMARK_MODELS_OFFLINE`.
 *
 * @example
 * const models = createModels(modelsOptionsFromEnv(process.env));
 */
export function modelsOptionsFromEnv(env: NodeJS.ProcessEnv): ModelsOptions {
  return {
    modelsDir: env.WAYMARK_MODELS_DIR || undefined,
    sentiment: env.WAYMARK_SENTIMENT_MODEL || undefined,
    subjects: env.WAYMARK_SUBJECT_MODEL || undefined,
    threads: count('WAYMARK_MODEL_THREADS', env.WAYMARK_MODEL_THREADS),
    cacheSize: count('WAYMARK_MODEL_CACHE_SIZE', env.WAYMARK_MODEL_CACHE_SIZE),
    hub: {
      host: env.WAYMARK_MODELS_HOST || undefined,
      cacheDir: env.WAYMARK_MODELS_CACHE || undefined,
      offline: flag('WAYMARK_MODELS_OFFLINE', env.WAYMARK_MODELS_OFFLINE),
    },
  };
}
