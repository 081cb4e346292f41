import { describe, expect, it } from 'vitest';
import { at, checkNodeConfig, iso, prepare, Runner, trail } from '../../test-util.ts';
import { dateTrigger } from './index.ts';

type Invalid = { name: string; config: unknown; path: (string | number)[] };

const tables: { type: string; valid: unknown[]; invalid: Invalid[] }[] = [
  {
    type: 'trigger.event',
    valid: [
      { event: 'cart_abandoned' },
      { event: 'order', where: { attribute: 'total', op: 'gt', value: 50 } },
      {
        event: 'order',
        where: {
          all: [{ attribute: 'country', op: 'in', value: ['PL', 'DE'] }, { not: { attribute: 'test', op: 'exists' } }],
        },
      },
    ],
    invalid: [
      { name: 'missing event', config: {}, path: ['event'] },
      { name: 'empty event', config: { event: '' }, path: ['event'] },
      { name: 'blank event', config: { event: '   ' }, path: ['event'] },
      { name: 'event not a string', config: { event: 7 }, path: ['event'] },
      {
        name: 'unknown operator in where',
        config: { event: 'x', where: { attribute: 'a', op: 'like' } },
        path: ['where', 'op'],
      },
      { name: 'unknown key', config: { event: 'x', segment: 'vip' }, path: [] },
    ],
  },
  {
    type: 'trigger.segment',
    valid: [{ segment: 'vip' }],
    invalid: [
      { name: 'missing segment', config: {}, path: ['segment'] },
      { name: 'segment not a string', config: { segment: 3 }, path: ['segment'] },
      { name: 'unknown key', config: { segment: 'vip', event: 'x' }, path: [] },
    ],
  },
  {
    type: 'trigger.manual',
    valid: [{}],
    invalid: [{ name: 'any key', config: { event: 'x' }, path: [] }],
  },
  {
    type: 'trigger.date',
    valid: [
      { attribute: 'birthday' },
      { attribute: 'renewal_at', offset: '-P7D', at: '10:30', repeat: 'yearly' },
      { attribute: 'trial_end', offset: 'PT2H', at: '00:00', repeat: 'never' },
    ],
    invalid: [
      { name: 'missing attribute', config: {}, path: ['attribute'] },
      { name: 'offset not a duration', config: { attribute: 'b', offset: 'a week' }, path: ['offset'] },
      { name: 'hour 25', config: { attribute: 'b', at: '25:00' }, path: ['at'] },
      { name: 'single-digit hour', config: { attribute: 'b', at: '9:00' }, path: ['at'] },
      { name: 'unknown repeat', config: { attribute: 'b', repeat: 'monthly' }, path: ['repeat'] },
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

describe('trigger.event', () => {
  const journey = prepare(
    [
      {
        id: 'start',
        type: 'trigger.event',
        config: { event: 'order', where: { attribute: 'total', op: 'gte', value: 50 } },
      },
      { id: 'done', type: 'flow.exit' },
    ],
    ['start -> done'],
  );

  it('enrols on a matching event and records it as the run trigger', () => {
    const r = new Runner(journey).event('order', '2026-03-02T10:00:00Z', { total: 80 });
    expect(trail(r)).toEqual(['start', 'done!completed']);
    expect(r.steps[0]).toMatchObject({ at: at('2026-03-02T10:00:00Z'), runId: 'c1:1', type: 'trigger.event' });
    expect(r.state.entries).toBe(1);
  });

  it('keeps the trigger event on a waiting run', () => {
    const waiting = prepare(
      [
        { id: 'start', type: 'trigger.event', config: { event: 'order' } },
        { id: 'wait', type: 'flow.wait', config: { duration: 'PT1H' } },
        { id: 'done', type: 'flow.exit' },
      ],
      ['start -> wait', 'wait -> done'],
    );
    const r = new Runner(waiting).event('order', '2026-03-02T10:00:00Z', { total: 80 });
    expect(r.state.runs[0]?.trigger).toEqual({
      event: 'order',
      at: at('2026-03-02T10:00:00Z'),
      properties: { total: 80 },
    });
  });

  it('ignores an event whose properties fail `where`', () => {
    const r = new Runner(journey).event('order', '2026-03-02T10:00:00Z', { total: 20 });
    expect(r.steps).toEqual([]);
    expect(r.state.entries).toBe(0);
    expect(r.done).toBe(true);
  });

  it('ignores other events, and events missing the property', () => {
    const runner = new Runner(journey);
    expect(runner.event('order_completed', '2026-03-02T10:00:00Z', { total: 80 }).steps).toEqual([]);
    expect(runner.event('order', '2026-03-02T10:05:00Z').steps).toEqual([]);
    expect(runner.state?.entries).toBe(0);
  });

  it('reads `where` from the event, not from the contact', () => {
    const r = new Runner(journey, { total: 100 }).event('order', '2026-03-02T10:00:00Z', { total: 1 });
    expect(r.steps).toEqual([]);
  });

  it('does not enrol through a manual enrolment', () => {
    expect(new Runner(journey).manual('2026-03-02T10:00:00Z').steps).toEqual([]);
  });
});

describe('trigger.segment', () => {
  const journey = prepare(
    [
      { id: 'start', type: 'trigger.segment', config: { segment: 'vip' } },
      { id: 'done', type: 'flow.exit' },
    ],
    ['start -> done'],
  );

  it('enrols when the contact enters the segment', () => {
    const r = new Runner(journey).event('segment.entered', '2026-03-02T10:00:00Z', { segment: 'vip' });
    expect(trail(r)).toEqual(['start', 'done!completed']);
  });

  it('ignores entering another segment, and other events', () => {
    const runner = new Runner(journey);
    expect(runner.event('segment.entered', '2026-03-02T10:00:00Z', { segment: 'churned' }).steps).toEqual([]);
    expect(runner.event('vip', '2026-03-02T10:00:00Z', { segment: 'vip' }).steps).toEqual([]);
  });
});

describe('trigger.manual', () => {
  const journey = prepare(
    [
      { id: 'a', type: 'trigger.manual' },
      { id: 'b', type: 'trigger.manual' },
      { id: 'viaA', type: 'flow.exit' },
      { id: 'viaB', type: 'flow.exit' },
    ],
    ['a -> viaA', 'b -> viaB'],
  );

  it('enrols through the API, at the first manual trigger by default', () => {
    expect(trail(new Runner(journey).manual('2026-03-02T10:00:00Z'))).toEqual(['a', 'viaA!completed']);
  });

  it('enrols at the named trigger', () => {
    expect(trail(new Runner(journey).manual('2026-03-02T10:00:00Z', 'b'))).toEqual(['b', 'viaB!completed']);
  });

  it('enrols nobody when the named node is not a trigger of the journey', () => {
    const r = new Runner(journey).manual('2026-03-02T10:00:00Z', 'viaA');
    expect(r.steps).toEqual([]);
    expect(r.state.entries).toBe(0);
  });

  it('is not enrolled by events', () => {
    expect(new Runner(journey).event('journey.enrol', '2026-03-02T10:00:00Z').steps).toEqual([]);
  });
});

describe('trigger.date', () => {
  const journey = prepare(
    [
      { id: 'bday', type: 'trigger.date', config: { attribute: 'birthday', at: '09:00', repeat: 'yearly' } },
      { id: 'done', type: 'flow.exit' },
    ],
    ['bday -> done'],
  );

  it('enrols when the runtime reaches its date', () => {
    expect(trail(new Runner(journey, { birthday: '1990-05-10' }).date('2026-05-10T07:00:00Z', 'bday'))).toEqual([
      'bday',
      'done!completed',
    ]);
  });

  it('is not enrolled by events or manual enrolment', () => {
    const runner = new Runner(journey, { birthday: '1990-05-10' });
    expect(runner.event('birthday', '2026-05-10T07:00:00Z').steps).toEqual([]);
    expect(runner.manual('2026-05-10T07:00:00Z').steps).toEqual([]);
  });

  const next = (
    config: Record<string, unknown>,
    attributes: Record<string, unknown>,
    after: string,
    zone = 'Europe/Warsaw',
  ) => {
    const t = dateTrigger.nextEnrolment?.(dateTrigger.config.parse(config), { id: 'c1', attributes }, at(after), zone);
    return t === null || t === undefined ? null : iso(t);
  };

  it.each([
    {
      name: 'a yearly birthday, the day before, at local time (CEST)',
      config: { attribute: 'b', offset: '-P1D', at: '09:00', repeat: 'yearly' },
      attributes: { b: '1990-05-10' },
      after: '2026-01-01T00:00:00Z',
      expected: '2026-05-09T07:00:00.000Z',
    },
    {
      name: 'a yearly date already passed this year moves to next year (CET)',
      config: { attribute: 'b', at: '09:00', repeat: 'yearly' },
      attributes: { b: '1990-01-15' },
      after: '2026-03-01T00:00:00Z',
      expected: '2027-01-15T08:00:00.000Z',
    },
    {
      name: 'the last day of the year, just after this year’s moment',
      config: { attribute: 'b', at: '09:00', repeat: 'yearly' },
      attributes: { b: '1990-12-31' },
      after: '2026-12-31T10:00:00Z',
      expected: '2027-12-31T08:00:00.000Z',
    },
    {
      name: 'a one-off date in the future',
      config: { attribute: 'b', at: '09:00' },
      attributes: { b: '2026-05-10' },
      after: '2026-01-01T00:00:00Z',
      expected: '2026-05-10T07:00:00.000Z',
    },
    {
      name: 'a one-off renewal a week early from an instant attribute',
      config: { attribute: 'renews', offset: '-P7D', at: '10:00' },
      attributes: { renews: '2026-06-30T15:00:00Z' },
      after: '2026-01-01T00:00:00Z',
      expected: '2026-06-23T08:00:00.000Z',
    },
    {
      name: 'an epoch-millisecond attribute',
      config: { attribute: 'b', at: '12:00' },
      attributes: { b: at('2026-07-01T10:00:00Z') },
      after: '2026-01-01T00:00:00Z',
      expected: '2026-07-01T10:00:00.000Z',
    },
    {
      name: 'a 29 February birthday in a common year falls on 28 February',
      config: { attribute: 'b', at: '09:00', repeat: 'yearly' },
      attributes: { b: '1992-02-29' },
      after: '2027-01-01T00:00:00Z',
      expected: '2027-02-28T08:00:00.000Z',
    },
    {
      name: 'a 29 February birthday in a leap year falls on 29 February',
      config: { attribute: 'b', at: '09:00', repeat: 'yearly' },
      attributes: { b: '1992-02-29' },
      after: '2028-01-01T00:00:00Z',
      expected: '2028-02-29T08:00:00.000Z',
    },
  ])('next enrolment: $name', ({ config, attributes, after, expected }) => {
    expect(next(config, attributes, after)).toBe(expected);
  });

  it.each([
    { name: 'a one-off date in the past', attributes: { b: '2020-05-10' } },
    { name: 'a missing attribute', attributes: {} },
    { name: 'an attribute that is not a date', attributes: { b: 'soon' } },
    { name: 'an attribute of the wrong type', attributes: { b: true } },
  ])('no next enrolment for $name', ({ attributes }) => {
    expect(next({ attribute: 'b', at: '09:00' }, attributes, '2026-01-01T00:00:00Z')).toBeNull();
  });

  it('uses the zone it is given for the local time', () => {
    const config = { attribute: 'b', at: '09:00', repeat: 'yearly' };
    expect(next(config, { b: '1990-05-10' }, '2026-01-01T00:00:00Z', 'America/New_York')).toBe(
      '2026-05-10T13:00:00.000Z',
    );
  });
});
