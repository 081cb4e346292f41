import { afterAll, describe, expect, it } from 'vitest';
import { subjectLineTinyGpt2 } from './catalog.ts';
import { testModelsDir } from './settings.ts';
import {
  bannedWordIn,
  checkSubjectRequest,
  cleanSubject,
  fillPrompt,
  LocalSubjectGenerator,
  stutters,
  subjectKey,
} from './subjects.ts';

describe('subject-line helpers', () => {
  it('fills a prompt template', () => {
    expect(fillPrompt('{brief} | {tone} =>', ' spring sale ', 'urgent')).toBe('spring sale | urgent =>');
  });

  it.each([
    [' Save 10% on shoes\nmore text', 'Save 10% on shoes'],
    ['"Quoted subject"', 'Quoted subject'],
    ['Subject: Hello   there', 'Hello there'],
    ['   ', ''],
  ])('cleans %j', (raw, clean) => {
    expect(cleanSubject(raw)).toBe(clean);
  });

  it('treats case, spacing and final punctuation as the same subject', () => {
    expect(subjectKey('Save 10%  on shoes!')).toBe(subjectKey('save 10% on shoes'));
    expect(subjectKey('Save 10% on shoes')).not.toBe(subjectKey('Save 20% on shoes'));
  });

  it.each([
    ['FREE shipping today', ['free'], 'free'],
    ['Freedom sale', ['free'], undefined],
    ['Act now: 50% off', ['act now'], 'act now'],
    ['Nothing banned', [], undefined],
    ['Cheap-ish deals', ['cheap'], 'cheap'],
  ])('finds banned words in %j', (text, banned, found) => {
    expect(bannedWordIn(text, banned)).toBe(found);
  });

  it('spots a stuttering model', () => {
    expect(stutters('Hurry, our our our sale is here')).toBe(true);
    expect(stutters('Bye bye, winter')).toBe(false);
  });

  it.each([
    [{ brief: '', variants: 3 }, 'brief'],
    [{ brief: 'x', variants: 0 }, 'variants'],
    [{ brief: 'x', variants: 21 }, 'variants'],
    [{ brief: 'x', variants: 2, maxLength: 0 }, 'maxLength'],
  ])('rejects %j', (request, field) => {
    expect(() => checkSubjectRequest(request)).toThrow(
      expect.objectContaining({ code: 'invalid_request', message: expect.stringContaining(field) }),
    );
  });
});

describe('subject-line-tiny-gpt2, real inference', () => {
  const generator = new LocalSubjectGenerator(subjectLineTinyGpt2, testModelsDir);
  afterAll(() => generator.dispose());

  it.each([
    { brief: 'wireless headphones', tone: 'promotional', variants: 5, maxLength: 40 },
    { brief: 'your account', tone: 'informative', variants: 3, maxLength: 60 },
    { brief: 'running shoes', variants: 8, maxLength: 50 },
  ])('returns $variants distinct variants within $maxLength characters for "$brief"', async (request) => {
    const variants = await generator.generate(request);
    expect(variants).toHaveLength(request.variants);
    expect(new Set(variants.map(subjectKey)).size).toBe(request.variants);
    for (const v of variants) {
      expect(v.length).toBeGreaterThan(0);
      expect(v.length).toBeLessThanOrEqual(request.maxLength);
    }
  });

  it('copies the topic and keeps to the tone it was asked for', async () => {
    const [first] = await generator.generate({ brief: 'wireless headphones', tone: 'promotional', variants: 1 });
    expect(first).toBe('Save 10% on wireless headphones');
  });

  it('leaves out variants with a banned word', async () => {
    const variants = await generator.generate({
      brief: 'wireless headphones',
      tone: 'promotional',
      variants: 4,
      bannedWords: ['save', 'deal'],
    });
    expect(variants).toHaveLength(4);
    for (const v of variants) expect(bannedWordIn(v, ['save', 'deal'])).toBeUndefined();
  });

  it('gives the same variants for the same request', async () => {
    const request = { brief: 'garden tools', tone: 'friendly', variants: 4 };
    expect(await generator.generate(request)).toEqual(await generator.generate(request));
  });

  it("shortens a brief longer than the model's context instead of failing", async () => {
    const variants = await generator.generate({ brief: 'spring sale '.repeat(40), variants: 2, maxLength: 80 });
    expect(variants).toHaveLength(2);
    const unbroken = await generator.generate({ brief: 'x'.repeat(500), variants: 1 });
    expect(unbroken).toHaveLength(1);
  });

  it('fails with no_variants when nothing can pass the filters', async () => {
    await expect(generator.generate({ brief: 'wireless headphones', variants: 2, maxLength: 3 })).rejects.toMatchObject(
      {
        code: 'no_variants',
      },
    );
  });
});
