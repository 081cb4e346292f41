import { createModels, type ModelsOptions, testModelsDir } from '@waymark/models';
import type { Scenario } from './support.ts';

/** What `runModelsBench` measured; flat, so it can be spread into the benchmark report. */
export type ModelsBenchReport = {
  models_sentiment: string;
  models_subjects: string;
  models_threads: number;
  models_load_ms: number;
  models_sentiment_batch1_per_s: number;
  models_sentiment_batch8_per_s: number;
  models_sentiment_batch32_per_s: number;
  /** Single subject lines generated per second (one greedy generation per request). */
  models_subject_generations_per_s: number;
  /** Requests for 3 distinct, filtered variants completed per second. */
  models_subject_requests_3_variants_per_s: number;
};

const words = ['order', 'shipping', 'welcome', 'refund', 'sale', 'account', 'delay', 'gift', 'update', 'invoice'];
const moods = ['We are thrilled about your', 'Sorry, there is a problem with your', 'Here is the latest on your'];
const topics = ['headphones', 'running shoes', 'garden tools', 'coffee beans', 'yoga mats', 'desk lamps'];

/** A distinct sentence per index, so that the cache never answers. */
const sentence = (i: number) =>
  `${moods[i % moods.length]} ${words[i % words.length]} number ${i} (${words[(i >> 3) % words.length]}).`;

/**
 * Measures sentiment inferences per second at batch sizes 1, 8 and 32 and subject generations per
 * second, through the worker-thread pool as the runtime uses it (cache disabled, so every call runs
 * the model). Each figure runs for about `seconds` after a warm-up.
 *
 * @example
 * const report = await runModelsBench({ seconds: quick ? 0.5 : 2 });
 */
export async function runModelsBench(
  options: { seconds?: number; modelsDir?: string; threads?: number } & Pick<
    ModelsOptions,
    'sentiment' | 'subjects'
  > = {},
): Promise<ModelsBenchReport> {
  const seconds = options.seconds ?? 2;
  const threads = options.threads ?? 1;
  const models = createModels({
    modelsDir: options.modelsDir ?? testModelsDir,
    threads,
    cacheSize: 0,
    ...(options.sentiment === undefined ? {} : { sentiment: options.sentiment }),
    ...(options.subjects === undefined ? {} : { subjects: options.subjects }),
  });
  let n = 0;
  const loadStart = performance.now();
  try {
    await models.warmup();
    const loadMs = performance.now() - loadStart;

    // Keeps `threads` requests in flight so that every worker is busy, and counts items per second.
    const rate = async (perCall: number, call: () => Promise<unknown>) => {
      for (let i = 0; i < 3; i++) await call();
      let calls = 0;
      const started = performance.now();
      const until = started + seconds * 1000;
      await Promise.all(
        Array.from({ length: threads }, async () => {
          while (performance.now() < until) {
            await call();
            calls++;
          }
        }),
      );
      return Math.round((calls * perCall) / ((performance.now() - started) / 1000));
    };
    const classify = (size: number) => () =>
      models.sentiment.classify(Array.from({ length: size }, () => sentence(n++)));
    const batch1 = await rate(1, classify(1));
    const batch8 = await rate(8, classify(8));
    const batch32 = await rate(32, classify(32));
    const brief = () => `${topics[n % topics.length]} ${words[n++ % words.length]}`;
    const single = await rate(1, () => models.subjects.generate({ brief: brief(), tone: 'promotional', variants: 1 }));
    const three = await rate(1, () =>
      models.subjects.generate({ brief: brief(), tone: 'friendly', variants: 3, maxLength: 60 }),
    );
    return {
      models_sentiment: models.resolved.sentiment.model,
      models_subjects: models.resolved.subjects.model,
      models_threads: threads,
      models_load_ms: Math.round(loadMs),
      models_sentiment_batch1_per_s: batch1,
      models_sentiment_batch8_per_s: batch8,
      models_sentiment_batch32_per_s: batch32,
      models_subject_generations_per_s: single,
      models_subject_requests_3_variants_per_s: three,
    };
  } finally {
    await models.close();
  }
}

/** The models benchmark as a runner scenario: about 2 s per figure, 0.5 s with --quick, 0.1 s in the smoke test. */
export const modelsScenario: Scenario = {
  name: 'models',
  run: async (ctx) => ({ ...(await runModelsBench({ seconds: ctx.tiny ? 0.1 : ctx.quick ? 0.5 : 2 })) }),
};
