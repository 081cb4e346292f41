import type { SentimentModelSpec } from './catalog.ts';
import { ModelError } from './errors.ts';
import { type ClassifierPipeline, type LabelProbability, loadPipeline } from './load.ts';
import type { HubOptions } from './settings.ts';

/** A text's sentiment: the most likely label and a score in −1…1 where positive is good. */
export interface SentimentResult {
  label: string;
  score: number;
}

/** Scores texts for sentiment; one result per text, in order. */
export interface SentimentModel {
  /** The configured model's name. */
  readonly model: string;
  classify(texts: readonly string[]): Promise<SentimentResult[]>;
}

/**
 * Turns a classifier's label probabilities into a result: the most likely label, and the
 * probability-weighted mean of the label scores, clamped to −1…1.
 *
 * @example
 * sentimentOf([{ label: 'POSITIVE', score: 0.9 }, { label: 'NEGATIVE', score: 0.1 }], { NEGATIVE: -1, POSITIVE: 1 });
 * // { label: 'POSITIVE', score: 0.8 }
 */
export function sentimentOf(probabilities: readonly LabelProbability[], labelScores: Record<string, number>) {
  let best: LabelProbability | undefined;
  let score = 0;
  let total = 0;
  for (const p of probabilities) {
    const value = labelScores[p.label];
    if (value === undefined)
      throw new ModelError('model_misconfigured', `label "${p.label}" has no score in the model's labelScores`);
    score += p.score * value;
    total += p.score;
    if (!best || p.score > best.score) best = p;
  }
  if (!best) throw new ModelError('inference_failed', 'the classifier returned no labels');
  const mean = total > 0 ? score / total : 0;
  return { label: best.label, score: Math.max(-1, Math.min(1, mean)) } satisfies SentimentResult;
}

/** Texts per forward pass; longer lists are split so padding stays bounded. */
const chunkSize = 32;

/** A sentiment model running in this thread; loads its pipeline on first use. */
export class LocalSentimentModel implements SentimentModel {
  #pipeline: Promise<ClassifierPipeline> | undefined;

  constructor(
    readonly spec: SentimentModelSpec,
    readonly modelsDir: string | undefined,
    readonly intraOpThreads?: number | undefined,
    readonly hub?: HubOptions | undefined,
  ) {}

  get model(): string {
    return this.spec.model;
  }

  /** Loads the pipeline now; a failed load is retried on the next call. */
  load(): Promise<ClassifierPipeline> {
    if (!this.#pipeline) {
      const loaded = (
        loadPipeline(this.spec, this.modelsDir, this.intraOpThreads, this.hub) as Promise<ClassifierPipeline>
      ).then((p) => {
        const labels = Object.values(p.model.config.id2label ?? {});
        const missing = labels.filter((l) => this.spec.labelScores[l] === undefined);
        if (missing.length > 0)
          throw new ModelError(
            'model_misconfigured',
            `sentiment model "${this.spec.model}" has labels without a score: ${missing.join(', ')} (labelScores names ${Object.keys(this.spec.labelScores).join(', ')})`,
          );
        return p;
      });
      this.#pipeline = loaded;
      loaded.catch(() => {
        if (this.#pipeline === loaded) this.#pipeline = undefined;
      });
    }
    return this.#pipeline;
  }

  async classify(texts: readonly string[]): Promise<SentimentResult[]> {
    if (texts.length === 0) return [];
    const classifier = await this.load();
    const out: SentimentResult[] = [];
    for (let i = 0; i < texts.length; i += chunkSize) {
      const chunk = texts.slice(i, i + chunkSize).map(String);
      let labelled: LabelProbability[][];
      try {
        labelled = await classifier(chunk, { top_k: null });
      } catch (e) {
        throw new ModelError('inference_failed', `sentiment model "${this.spec.model}": ${(e as Error).message}`, {
          cause: e,
        });
      }
      for (const probabilities of labelled) out.push(sentimentOf(probabilities, this.spec.labelScores));
    }
    return out;
  }

  async dispose(): Promise<void> {
    const p = this.#pipeline;
    this.#pipeline = undefined;
    await (await p?.catch(() => undefined))?.dispose();
  }
}
