import { LocalSentimentModel, type SentimentResult } from './sentiment.ts';
import type { ResolvedModels } from './settings.ts';
import { LocalSubjectGenerator, type SubjectRequest } from './subjects.ts';

/** Where inference runs: in this thread, or in a pool of worker threads. */
export interface Backend {
  classify(texts: readonly string[]): Promise<SentimentResult[]>;
  generate(request: SubjectRequest): Promise<string[]>;
  /** Loads both models (in every worker). */
  warmup(): Promise<void>;
  /** Texts classified and batches run so far. */
  counters(): { batches: number; texts: number; generations: number };
  close(): Promise<void>;
}

/** Runs inference in the calling thread; models load once, on first use. */
export function inThreadBackend(resolved: ResolvedModels): Backend {
  const sentiment = new LocalSentimentModel(
    resolved.sentiment,
    resolved.modelsDir,
    resolved.intraOpThreads,
    resolved.hub,
  );
  const subjects = new LocalSubjectGenerator(
    resolved.subjects,
    resolved.modelsDir,
    resolved.intraOpThreads,
    resolved.hub,
  );
  const counters = { batches: 0, texts: 0, generations: 0 };
  return {
    async classify(texts) {
      counters.batches++;
      counters.texts += texts.length;
      return sentiment.classify(texts);
    },
    async generate(request) {
      counters.generations++;
      return subjects.generate(request);
    },
    async warmup() {
      await sentiment.load();
      await subjects.load();
    },
    counters: () => ({ ...counters }),
    async close() {
      await sentiment.dispose();
      await subjects.dispose();
    },
  };
}
