import { describe, expect, it } from 'vitest';
import { checkNodeConfig, prepare, Runner, trail } from '../../test-util.ts';

type Invalid = { name: string; config: unknown; path: (string | number)[] };

const tables: { type: string; valid: unknown[]; invalid: Invalid[] }[] = [
  {
    type: 'ai.generateSubject',
    valid: [
      { brief: 'spring sale for gardeners' },
      { brief: 'win back lapsed customers', variants: 10, tone: 'playful', maxLength: 60 },
      { brief: 'one line', variants: 1 },
    ],
    invalid: [
      { name: 'missing brief', config: {}, path: ['brief'] },
      { name: 'brief too short', config: { brief: 'hi' }, path: ['brief'] },
      { name: 'brief too short once trimmed', config: { brief: '   ab   ' }, path: ['brief'] },
      { name: 'zero variants', config: { brief: 'spring sale', variants: 0 }, path: ['variants'] },
      { name: 'eleven variants', config: { brief: 'spring sale', variants: 11 }, path: ['variants'] },
      { name: 'fractional variants', config: { brief: 'spring sale', variants: 2.5 }, path: ['variants'] },
      { name: 'maxLength under 10', config: { brief: 'spring sale', maxLength: 5 }, path: ['maxLength'] },
      { name: 'tone over 40 characters', config: { brief: 'spring sale', tone: 't'.repeat(41) }, path: ['tone'] },
    ],
  },
  {
    type: 'ai.sentimentGuard',
    valid: [
      { source: 'subject' },
      { source: 'body', minScore: -0.5 },
      { source: 'text', text: 'We miss you!', minScore: 1 },
    ],
    invalid: [
      { name: 'missing source', config: {}, path: ['source'] },
      { name: 'unknown source', config: { source: 'title' }, path: ['source'] },
      { name: 'text source without text', config: { source: 'text' }, path: ['text'] },
      { name: 'empty text', config: { source: 'text', text: '' }, path: ['text'] },
      { name: 'minScore above 1', config: { source: 'body', minScore: 2 }, path: ['minScore'] },
      { name: 'minScore below -1', config: { source: 'body', minScore: -1.5 }, path: ['minScore'] },
    ],
  },
];

describe.each(tables)('$type config', ({ type, valid, invalid }) => {
  it.each(valid)('accepts %j', (config) => {
    expect(checkNodeConfig(type, config).problems).toEqual([]);
  });

  it.each(invalid)('rejects $name', ({ config, path }) => {
    const result = checkNodeConfig(type, config);
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual(expect.objectContaining({ code: 'invalid_config', nodeId: 'n', path }));
  });
});

describe('ai.generateSubject', () => {
  const journey = prepare(
    [
      { id: 'start', type: 'trigger.manual' },
      {
        id: 'gen',
        type: 'ai.generateSubject',
        config: { brief: 'spring sale', variants: 3, tone: 'warm', maxLength: 50 },
      },
      { id: 'mail', type: 'action.sendEmail', config: { template: 'sale', subjectFrom: 'ai' } },
      { id: 'end', type: 'flow.exit' },
    ],
    ['start -> gen', 'gen -> mail', 'mail -> end'],
  );
  const request = { kind: 'generateSubject', brief: 'spring sale', variants: 3, tone: 'warm', maxLength: 50 };

  it('asks the model for variants and waits for them', () => {
    const runner = new Runner(journey);
    const r = runner.manual('2026-03-02T10:00:00Z');
    expect(trail(r)).toEqual(['start']);
    expect(r.effects).toEqual([{ runId: 'c1:1', node: 'gen', key: 'c1:1:gen:1', effect: request }]);
    expect(runner.runs[0]).toMatchObject({ node: 'gen', awaiting: { name: 'effect.result', forThisNode: true } });
  });

  it('leaves with the variants, which the email then uses', () => {
    const runner = new Runner(journey);
    runner.manual('2026-03-02T10:00:00Z');
    const r = runner.result('gen', '2026-03-02T10:00:03Z', { ok: true, output: { variants: ['Only one'] } });
    expect(trail(r)).toEqual(['gen', 'mail', 'end!completed']);
    expect(r.steps[0]?.effect).toEqual(request);
    expect(r.steps[1]?.effect).toEqual({ kind: 'email', template: 'sale', subject: 'Only one', variant: 0 });
  });

  it.each([
    {
      name: 'the model failed',
      outcome: { ok: false, error: { code: 'model_unavailable', message: 'model offline' } },
      message: /model offline/,
      code: 'model_unavailable',
    },
    {
      name: 'no variants came back',
      outcome: { ok: true, output: { variants: [] } },
      message: /gen/,
      code: 'node_failed',
    },
    { name: 'no output at all', outcome: { ok: true }, message: /gen/, code: 'node_failed' },
  ])('fails with a coded error step and sends nothing when $name', ({ outcome, message, code }) => {
    const runner = new Runner(journey);
    runner.manual('2026-03-02T10:00:00Z');
    const r = runner.result('gen', '2026-03-02T10:00:03Z', outcome);
    expect(trail(r)).toEqual([`gen#${code}`]);
    expect(r.steps[0]?.error?.message).toMatch(message);
    expect(r.effects).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.state.runs).toEqual([
      expect.objectContaining({ node: 'gen', failed: expect.objectContaining({ code: code }) }),
    ]);
    expect(r.state.runs[0]?.awaiting).toBeUndefined();
  });

  it('asks again when the failed run is retried, and carries on once it succeeds', () => {
    const runner = new Runner(journey);
    runner.manual('2026-03-02T10:00:00Z');
    runner.result('gen', '2026-03-02T10:00:03Z', { ok: false, error: { code: 'timeout', message: 'slow' } });
    const retry = runner.timer('2026-03-02T10:05:00Z');
    expect(retry.effects.map((e) => e.effect)).toEqual([request]);
    expect(retry.state.runs[0]?.failed).toBeUndefined();
    const r = runner.result('gen', '2026-03-02T10:05:03Z', { ok: true, output: { variants: ['Back in stock'] } });
    expect(trail(r)).toEqual(['gen', 'mail', 'end!completed']);
  });
});

describe('ai.sentimentGuard', () => {
  const textGuard = (minScore: number) =>
    prepare(
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 'guard', type: 'ai.sentimentGuard', config: { source: 'text', text: 'We miss you!', minScore } },
        { id: 'mail', type: 'action.sendEmail', config: { template: 'winback' } },
        { id: 'stop', type: 'flow.exit' },
        { id: 'end', type: 'flow.exit' },
      ],
      ['start -> guard', 'guard:pass -> mail', 'guard:fail -> stop', 'mail -> end'],
    );

  it('asks for the text to be scored', () => {
    const r = new Runner(textGuard(0)).manual('2026-03-02T10:00:00Z');
    expect(r.effects.map((e) => e.effect)).toEqual([{ kind: 'sentiment', source: 'text', texts: ['We miss you!'] }]);
  });

  it.each([
    { scores: [0.6], minScore: 0, expected: ['guard:pass', 'mail', 'end!completed'] },
    { scores: [0], minScore: 0, expected: ['guard:pass', 'mail', 'end!completed'] },
    { scores: [-0.3], minScore: 0, expected: ['guard:fail', 'stop!completed'] },
    { scores: [0.4], minScore: 0.5, expected: ['guard:fail', 'stop!completed'] },
    { scores: [-0.9], minScore: -1, expected: ['guard:pass', 'mail', 'end!completed'] },
  ])('scores $scores against minScore $minScore', ({ scores, minScore, expected }) => {
    const runner = new Runner(textGuard(minScore));
    runner.manual('2026-03-02T10:00:00Z');
    expect(trail(runner.result('guard', '2026-03-02T10:00:01Z', { ok: true, output: { scores } }))).toEqual(expected);
  });

  it.each([
    {
      name: 'the model failed',
      outcome: { ok: false, error: { code: 'model_unavailable', message: 'offline' } },
      code: 'model_unavailable',
    },
    { name: 'no scores came back', outcome: { ok: true, output: { scores: [] } }, code: 'node_failed' },
  ])('fails with a coded error step and sends nothing when $name', ({ outcome, code }) => {
    const runner = new Runner(textGuard(0));
    runner.manual('2026-03-02T10:00:00Z');
    const r = runner.result('guard', '2026-03-02T10:00:01Z', outcome);
    expect(trail(r)).toEqual([`guard#${code}`]);
    expect(r.effects).toEqual([]);
    expect(r.state.runs[0]?.failed?.code).toBe(code);
  });

  it('checks the subject of the email downstream, naming its template', () => {
    const j = prepare(
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 'guard', type: 'ai.sentimentGuard', config: { source: 'subject' } },
        { id: 'mail', type: 'action.sendEmail', config: { template: 'promo', subject: 'Last chance!' } },
        { id: 'end', type: 'flow.exit' },
      ],
      ['start -> guard', 'guard:pass -> mail', 'guard:fail -> end', 'mail -> end'],
    );
    const r = new Runner(j).manual('2026-03-02T10:00:00Z');
    expect(r.effects.map((e) => e.effect)).toEqual([
      { kind: 'sentiment', source: 'subject', template: 'promo', texts: ['Last chance!'] },
    ]);
  });

  it('checks the email on its pass path, not one on its fail path', () => {
    const j = prepare(
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 'guard', type: 'ai.sentimentGuard', config: { source: 'subject' } },
        { id: 'fallback', type: 'action.sendEmail', config: { template: 'plain', subject: 'News' } },
        { id: 'mail', type: 'action.sendEmail', config: { template: 'bold', subject: 'Act now!' } },
        { id: 'end', type: 'flow.exit' },
      ],
      ['start -> guard', 'guard:fail -> fallback', 'guard:pass -> mail', 'fallback -> end', 'mail -> end'],
    );
    const r = new Runner(j).manual('2026-03-02T10:00:00Z');
    expect(r.effects.map((e) => e.effect)).toEqual([
      { kind: 'sentiment', source: 'subject', template: 'bold', texts: ['Act now!'] },
    ]);
  });

  it('checks the body of the email downstream by its template', () => {
    const j = prepare(
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 'guard', type: 'ai.sentimentGuard', config: { source: 'body', minScore: 0.2 } },
        { id: 'mail', type: 'action.sendEmail', config: { template: 'promo' } },
        { id: 'end', type: 'flow.exit' },
      ],
      ['start -> guard', 'guard:pass -> mail', 'guard:fail -> end', 'mail -> end'],
    );
    const r = new Runner(j).manual('2026-03-02T10:00:00Z');
    expect(r.effects.map((e) => e.effect)).toEqual([{ kind: 'sentiment', source: 'body', template: 'promo' }]);
  });

  it('checks every generated subject; one below the minimum fails the lot', () => {
    const j = prepare(
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 'gen', type: 'ai.generateSubject', config: { brief: 'spring sale', variants: 3 } },
        { id: 'guard', type: 'ai.sentimentGuard', config: { source: 'subject' } },
        { id: 'mail', type: 'action.sendEmail', config: { template: 'sale', subjectFrom: 'ai' } },
        { id: 'end', type: 'flow.exit' },
      ],
      ['start -> gen', 'gen -> guard', 'guard:pass -> mail', 'guard:fail -> end', 'mail -> end'],
    );
    const runner = new Runner(j);
    runner.manual('2026-03-02T10:00:00Z');
    const variants = ['Bloom early', 'Last chance, or else', 'Seeds on sale'];
    const asked = runner.result('gen', '2026-03-02T10:00:01Z', { ok: true, output: { variants } });
    expect(asked.effects.map((e) => e.effect)).toEqual([
      { kind: 'sentiment', source: 'subject', template: 'sale', texts: variants },
    ]);
    const r = runner.result('guard', '2026-03-02T10:00:02Z', { ok: true, output: { scores: [0.5, -0.1, 0.4] } });
    expect(trail(r)).toEqual(['guard:fail', 'end!completed']);
    expect(r.effects).toEqual([]);
  });
});
