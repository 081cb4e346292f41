import { createHash } from 'node:crypto';
import { type Backend, inThreadBackend } from './backend.ts';
import type { SentimentModelSpec, SubjectModelSpec } from './catalog.ts';
import { ModelError } from './errors.ts';
import { LruCache } from './lru-cache.ts';
import { WorkerPool } from './pool.ts';
import type { SentimentModel, SentimentResult } from './sentiment.ts';
import { type ModelsOptions, type ResolvedModels, resolveModels } from './settings.ts';
import { checkSubjectRequest, type SubjectGenerator, type SubjectRequest } from './subjects.ts';

/** Cache and batching counters, for tests, benchmarks and metrics. */
export interface ModelsStats {
  cache: { hits: number; misses: number; size: number };
  /** Classification batches run (each one forward pass over up to `maxBatch` texts). */
  batches: number;
  /** Texts classified (cache misses only). */
  texts: number;
  /** Subject-generation requests run (cache misses only). */
  generations: number;
}

/** Subject-line variants with the sentiment score of each, in the same order. */
export interface ScoredSubjects {
  variants: string[];
  scores: number[];
}

/** The sentiment model and subject generator behind one cache and one pool of worker threads. */
export interface Models {
  readonly sentiment: SentimentModel;
  readonly subjects: SubjectGenerator;
  /** Which models, from where. */
  readonly resolved: ResolvedModels;
  /** Generates variants and scores each with the sentiment model. */
  generateSubjects(request: SubjectRequest): Promise<ScoredSubjects>;
  /** Loads both models now (in every worker), so that a missing model shows at start, not at first use. */
  warmup(): Promise<void>;
  stats(): ModelsStats;
  /** Stops the worker threads; later calls fail with `closed`. */
  close(): Promise<void>;
}

const hashOf = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('base64url');
const identity = (spec: SentimentModelSpec | SubjectModelSpec, dir: string | undefined) => [spec, dir ?? 'hub'];

/**
 * Creates the models: inference in `threads` worker threads (default 1; 0 runs it in this thread),
 * results cached by model and input hash, models loaded once per worker on first use or `warmup()`.
 *
 * @example
 * const models = createModels({ modelsDir: process.env.WAYMARK_MODELS_DIR });
 * const [{ label, score }] = await models.sentiment.classify(['We are thrilled to welcome you!']);
 * const { variants, scores } = await models.generateSubjects({ brief: 'spring sale', variants: 3, maxLength: 60 });
 * await models.close();
 */
export function createModels(options: ModelsOptions = {}): Models {
  const resolved = resolveModels(options);
  const threads = options.threads ?? 1;
  const maxBatch = options.maxBatch ?? 32;
  if (!Number.isInteger(threads) || threads < 0 || threads > 64)
    throw new ModelError('model_misconfigured', `threads must be a whole number from 0 to 64, got ${threads}`);
  if (!Number.isInteger(maxBatch) || maxBatch < 1)
    throw new ModelError('model_misconfigured', `maxBatch must be a positive whole number, got ${maxBatch}`);
  const backend: Backend = threads === 0 ? inThreadBackend(resolved) : new WorkerPool(resolved, { threads, maxBatch });
  const cache = new LruCache<SentimentResult | string[]>(options.cacheSize ?? 2_000);
  const sentimentId = hashOf(identity(resolved.sentiment, resolved.modelsDir));
  const subjectsId = hashOf(identity(resolved.subjects, resolved.modelsDir));

  const sentiment: SentimentModel = {
    model: resolved.sentiment.model,
    async classify(texts) {
      const keys = texts.map((t) => `s:${sentimentId}:${hashOf(String(t))}`);
      const results: (SentimentResult | undefined)[] = keys.map((k) => cache.get(k) as SentimentResult | undefined);
      const missing = new Map<string, string>();
      keys.forEach((k, i) => {
        if (results[i] === undefined && !missing.has(k)) missing.set(k, String(texts[i]));
      });
      if (missing.size > 0) {
        const fresh = await backend.classify([...missing.values()]);
        [...missing.keys()].forEach((k, i) => {
          cache.set(k, fresh[i] as SentimentResult);
        });
        const byKey = new Map([...missing.keys()].map((k, i) => [k, fresh[i] as SentimentResult]));
        keys.forEach((k, i) => {
          results[i] ??= byKey.get(k);
        });
      }
      return results.map((r) => ({ ...(r as SentimentResult) }));
    },
  };

  const subjects: SubjectGenerator = {
    model: resolved.subjects.model,
    async generate(request) {
      checkSubjectRequest(request);
      const normalized = {
        brief: request.brief,
        tone: request.tone,
        variants: request.variants,
        maxLength: request.maxLength,
        bannedWords: request.bannedWords === undefined ? undefined : [...request.bannedWords],
      };
      const key = `g:${subjectsId}:${hashOf(normalized)}`;
      const hit = cache.get(key) as string[] | undefined;
      if (hit) return [...hit];
      const variants = await backend.generate(normalized);
      cache.set(key, variants);
      return [...variants];
    },
  };

  return {
    sentiment,
    subjects,
    resolved,
    async generateSubjects(request) {
      const variants = await subjects.generate(request);
      const scores = (await sentiment.classify(variants)).map((r) => r.score);
      return { variants, scores };
    },
    warmup: () => backend.warmup(),
    stats() {
      return { cache: { hits: cache.hits, misses: cache.misses, size: cache.size }, ...backend.counters() };
    },
    close: () => backend.close(),
  };
}
