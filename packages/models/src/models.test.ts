import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModels, emailToneTinyBert, subjectLineTinyGpt2 } from './catalog.ts';
import { ModelError } from './errors.ts';
import { createModels, type Models } from './models.ts';
import { modelsOptionsFromEnv, resolveModels, testModelsDir } from './settings.ts';

const texts = [
  'We are thrilled to welcome you!',
  'Your payment failed and your account is suspended.',
  'The webinar starts at 10:00.',
  'Thank you so much, you made our day!',
  'We regret to inform you that the event is cancelled.',
];
const request = { brief: 'wireless headphones', tone: 'promotional', variants: 4, maxLength: 50 };

describe('createModels with a worker-thread pool', () => {
  let pooled: Models;
  let inThread: Models;
  beforeAll(async () => {
    pooled = createModels({ modelsDir: testModelsDir, threads: 1 });
    inThread = createModels({ modelsDir: testModelsDir, threads: 0 });
    await Promise.all([pooled.warmup(), inThread.warmup()]);
  }, 60_000);
  afterAll(async () => {
    await pooled?.close();
    await inThread?.close();
  });

  it('returns the same results as inference in this thread', async () => {
    const [a, b] = await Promise.all([pooled.sentiment.classify(texts), inThread.sentiment.classify(texts)]);
    expect(a.map((r) => r.label)).toEqual(b.map((r) => r.label));
    a.forEach((r, i) => {
      expect(r.score).toBeCloseTo(b[i]?.score as number, 5);
    });
    expect(await pooled.generateSubjects(request)).toEqual(await inThread.generateSubjects(request));
  });

  it('answers a repeated request from the cache without running the model', async () => {
    const models = createModels({ modelsDir: testModelsDir, threads: 1 });
    try {
      const first = await models.sentiment.classify(['A cached sentence.', 'Another one.']);
      const before = models.stats();
      expect(before.cache.hits).toBe(0);
      const again = await models.sentiment.classify(['Another one.', 'A cached sentence.']);
      expect(again).toEqual([first[1], first[0]]);
      const generated = await models.subjects.generate(request);
      expect(await models.subjects.generate(request)).toEqual(generated);
      const after = models.stats();
      expect(after.cache.hits).toBe(3);
      expect(after.batches).toBe(before.batches);
      expect(after.generations).toBe(1);
    } finally {
      await models.close();
    }
  }, 30_000);

  it('batches classify calls made at the same time', async () => {
    const models = createModels({ modelsDir: testModelsDir, threads: 1, cacheSize: 0 });
    try {
      const one = await Promise.all(texts.map((t) => models.sentiment.classify([t])));
      expect(models.stats().batches).toBe(1);
      expect(models.stats().texts).toBe(texts.length);
      const together = await inThread.sentiment.classify(texts);
      expect(one.map(([r]) => r?.label)).toEqual(together.map((r) => r.label));
    } finally {
      await models.close();
    }
  }, 30_000);

  it('splits a long list into batches of maxBatch texts', async () => {
    const models = createModels({ modelsDir: testModelsDir, threads: 1, maxBatch: 4, cacheSize: 0 });
    try {
      const many = Array.from({ length: 10 }, (_, i) => `Sentence number ${i} is fine.`);
      const results = await models.sentiment.classify(many);
      expect(results).toHaveLength(10);
      expect(models.stats().batches).toBe(3);
    } finally {
      await models.close();
    }
  }, 30_000);

  it('fails calls after close with the closed error', async () => {
    const models = createModels({ modelsDir: testModelsDir, threads: 1 });
    await models.close();
    await expect(models.sentiment.classify(['hello'])).rejects.toMatchObject({ code: 'closed' });
  });
});

describe('a missing model', () => {
  let empty: string;
  beforeAll(() => {
    empty = mkdtempSync(join(tmpdir(), 'waymark-no-models-'));
  });
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it.each([0, 1])(
    'gives one model_unavailable error naming what to configure (threads %i)',
    async (threads) => {
      const models = createModels({ modelsDir: empty, threads });
      try {
        const error = await models.sentiment.classify(['hello']).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ModelError);
        expect(error).toMatchObject({
          code: 'model_unavailable',
          message: expect.stringMatching(/sentiment model ".+" is unavailable.*WAYMARK_MODELS_DIR/s),
        });
        await expect(models.subjects.generate(request)).rejects.toMatchObject({
          code: 'model_unavailable',
          message: expect.stringContaining('WAYMARK_SUBJECT_MODEL'),
        });
        await expect(models.warmup()).rejects.toMatchObject({ code: 'model_unavailable' });
      } finally {
        await models.close();
      }
    },
    30_000,
  );

  it('rejects a model name the catalogue does not know', () => {
    expect(() => createModels({ modelsDir: empty, sentiment: 'acme/unknown', threads: 0 })).toThrow(
      expect.objectContaining({
        code: 'model_misconfigured',
        message: expect.stringContaining('email-tone-tiny-bert'),
      }),
    );
  });
});

describe('configuration', () => {
  it('loads the hub defaults by name without a models folder', () => {
    const r = resolveModels({});
    expect(r).toMatchObject({ modelsDir: undefined });
    expect(r.sentiment.model).toBe(defaultModels.sentiment);
    expect(r.subjects.model).toBe(defaultModels.subjects);
  });

  it('uses the models present in a models folder', () => {
    const r = resolveModels({ modelsDir: testModelsDir });
    expect(r.sentiment).toEqual(emailToneTinyBert);
    expect(r.subjects).toEqual(subjectLineTinyGpt2);
  });

  it('accepts a full configuration for a model the catalogue does not know', () => {
    const custom = { ...emailToneTinyBert, model: 'my-tone-model', labelScores: { BAD: -1, GOOD: 1 } };
    expect(resolveModels({ modelsDir: testModelsDir, sentiment: custom }).sentiment).toBe(custom);
  });

  it('reads the environment', () => {
    expect(
      modelsOptionsFromEnv({
        WAYMARK_MODELS_DIR: '/models',
        WAYMARK_SENTIMENT_MODEL: 'email-tone-tiny-bert',
        WAYMARK_MODEL_THREADS: '2',
      }),
    ).toEqual({
      modelsDir: '/models',
      sentiment: 'email-tone-tiny-bert',
      subjects: undefined,
      threads: 2,
      cacheSize: undefined,
      hub: { host: undefined, cacheDir: undefined, offline: undefined },
    });
    expect(
      modelsOptionsFromEnv({
        WAYMARK_MODELS_HOST: 'http://mirror.internal/',
        WAYMARK_MODELS_CACHE: '/var/cache/models',
        WAYMARK_MODELS_OFFLINE: '1',
      }).hub,
    ).toEqual({ host: 'http://mirror.internal/', cacheDir: '/var/cache/models', offline: true });
    expect(() => modelsOptionsFromEnv({ WAYMARK_MODELS_OFFLINE: 'maybe' })).toThrow(/WAYMARK_MODELS_OFFLINE/);
    expect(() => modelsOptionsFromEnv({ WAYMARK_MODEL_THREADS: 'two' })).toThrow(/WAYMARK_MODEL_THREADS/);
  });
});
