import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emailToneTinyBert } from './catalog.ts';
import { ModelError } from './errors.ts';
import { LocalSentimentModel, sentimentOf } from './sentiment.ts';
import { testModelsDir } from './settings.ts';

describe('sentimentOf', () => {
  const three = { NEGATIVE: -1, NEUTRAL: 0, POSITIVE: 1 };
  it.each([
    [
      'clearly positive',
      [
        { label: 'POSITIVE', score: 0.9 },
        { label: 'NEUTRAL', score: 0.1 },
      ],
      'POSITIVE',
      0.9,
    ],
    [
      'clearly negative',
      [
        { label: 'NEGATIVE', score: 0.8 },
        { label: 'POSITIVE', score: 0.2 },
      ],
      'NEGATIVE',
      -0.6,
    ],
    [
      'neutral',
      [
        { label: 'NEUTRAL', score: 0.6 },
        { label: 'POSITIVE', score: 0.2 },
        { label: 'NEGATIVE', score: 0.2 },
      ],
      'NEUTRAL',
      0,
    ],
  ])('%s', (_, probabilities, label, score) => {
    const r = sentimentOf(probabilities, three);
    expect(r.label).toBe(label);
    expect(r.score).toBeCloseTo(score, 10);
  });

  it('rejects a label the configuration gives no score', () => {
    expect(() => sentimentOf([{ label: 'JOY', score: 1 }], three)).toThrow(
      expect.objectContaining({ code: 'model_misconfigured' }),
    );
  });
});

describe('email-tone-tiny-bert, real inference', () => {
  const model = new LocalSentimentModel(emailToneTinyBert, testModelsDir);
  afterAll(() => model.dispose());

  it('classifies a clearly positive and a clearly negative sentence as such', async () => {
    const [positive, negative] = await model.classify([
      'We are thrilled to welcome you, and we love having you with us!',
      'Your order was cancelled because of a terrible, frustrating error.',
    ]);
    expect(positive?.label).toBe('POSITIVE');
    expect(positive?.score).toBeGreaterThan(0.5);
    expect(negative?.label).toBe('NEGATIVE');
    expect(negative?.score).toBeLessThan(-0.5);
  });

  it('scores within −1…1 and answers an empty list with an empty list', async () => {
    const long = 'We love this wonderful product. '.repeat(200); // far past the model's 64 tokens: truncated
    const results = await model.classify(['The meeting is on Tuesday.', '', 'ok', long]);
    expect(results).toHaveLength(4);
    expect(results[3]?.label).toBe('POSITIVE');
    for (const r of results) expect(Math.abs(r.score)).toBeLessThanOrEqual(1);
    expect(await model.classify([])).toEqual([]);
  });

  it('agrees with at least 70% of the 42 hand-labelled email sentences', async () => {
    const gold = readFileSync(join(testModelsDir, 'email-tone-tiny-bert', 'gold_email_tone.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { text: string; label: string });
    expect(gold).toHaveLength(42);
    const results = await model.classify(gold.map((g) => g.text));
    const right = results.filter((r, i) => r.label === gold[i]?.label).length;
    expect(right / gold.length).toBeGreaterThanOrEqual(0.7);
  });

  it('reports a label without a configured score as model_misconfigured', async () => {
    const partial = new LocalSentimentModel(
      { ...emailToneTinyBert, labelScores: { NEGATIVE: -1, POSITIVE: 1 } },
      testModelsDir,
    );
    const error = await partial.classify(['hello']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ code: 'model_misconfigured', message: expect.stringContaining('NEUTRAL') });
  });
});
