import { describe, expect, it } from 'vitest';
import type { JourneySettings } from '../../schema/definition.ts';
import type { VariantStats } from '../../sdk/types.ts';
import { at, checkNodeConfig, iso, prepare, Runner, trail } from '../../test-util.ts';

type Invalid = { name: string; config: unknown; path: (string | number)[] };

const tables: { type: string; valid: unknown[]; invalid: Invalid[] }[] = [
  {
    type: 'action.sendEmail',
    valid: [
      { template: 'welcome' },
      { template: 'sale', subject: 'Spring sale' },
      { template: 'sale', subjectFrom: 'ai' },
    ],
    invalid: [
      { name: 'missing template', config: {}, path: ['template'] },
      { name: 'empty template', config: { template: '' }, path: ['template'] },
      { name: 'empty subject', config: { template: 't', subject: '' }, path: ['subject'] },
      { name: 'subject over 300 characters', config: { template: 't', subject: 'x'.repeat(301) }, path: ['subject'] },
      { name: 'unknown subject source', config: { template: 't', subjectFrom: 'gpt' }, path: ['subjectFrom'] },
      { name: 'unknown key', config: { template: 't', to: 'a@b.c' }, path: [] },
    ],
  },
  {
    type: 'action.updateContact',
    valid: [
      { set: { plan: 'pro' } },
      { unset: ['coupon'] },
      { set: { score: 3, address: { city: 'Kraków' } }, unset: ['trial'] },
    ],
    invalid: [
      { name: 'nothing to do', config: {}, path: ['set'] },
      { name: 'empty set', config: { set: {} }, path: ['set'] },
      { name: 'empty set and unset', config: { set: {}, unset: [] }, path: ['set'] },
      { name: 'set not an object', config: { set: 'plan' }, path: ['set'] },
      { name: 'empty attribute name to unset', config: { unset: [''] }, path: ['unset', 0] },
      { name: 'unset not a list', config: { unset: 'coupon' }, path: ['unset'] },
    ],
  },
  {
    type: 'action.webhook',
    valid: [
      { url: 'https://hooks.example.com/waymark' },
      { url: 'http://localhost:8080/hook', method: 'GET' },
      {
        url: 'https://crm.example.com/contacts',
        method: 'PUT',
        headers: { Authorization: 'Bearer x' },
        body: '{"email":"{{contact.email}}"}',
      },
    ],
    invalid: [
      { name: 'missing url', config: {}, path: ['url'] },
      { name: 'ftp url', config: { url: 'ftp://files.example.com/x' }, path: ['url'] },
      { name: 'not a url', config: { url: 'hooks.example.com' }, path: ['url'] },
      { name: 'unknown method', config: { url: 'https://x.example.com', method: 'FETCH' }, path: ['method'] },
      {
        name: 'header value not a string',
        config: { url: 'https://x.example.com', headers: { 'X-Count': 1 } },
        path: ['headers', 'X-Count'],
      },
      {
        name: 'body over 100 000 characters',
        config: { url: 'https://x.example.com', body: 'x'.repeat(100_001) },
        path: ['body'],
      },
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

/** start (event `go`) → `mail` → `end`. */
function mailJourney(config: Record<string, unknown>, settings: JourneySettings = {}) {
  return prepare(
    [
      { id: 'start', type: 'trigger.event', config: { event: 'go' } },
      { id: 'mail', type: 'action.sendEmail', config },
      { id: 'end', type: 'flow.exit' },
    ],
    ['start -> mail', 'mail -> end'],
    settings,
  );
}

describe('action.sendEmail', () => {
  it('sends the template and reports the effect with an idempotency key', () => {
    const r = new Runner(mailJourney({ template: 'welcome' })).event('go', '2026-03-02T10:00:00Z');
    expect(trail(r)).toEqual(['start', 'mail', 'end!completed']);
    expect(r.steps[1]?.effect).toEqual({ kind: 'email', template: 'welcome' });
    expect(r.effects).toEqual([
      { runId: 'c1:1', node: 'mail', key: 'c1:1:mail:1', effect: { kind: 'email', template: 'welcome' } },
    ]);
  });

  it('overrides the subject when the node has one', () => {
    const r = new Runner(mailJourney({ template: 'sale', subject: 'Spring sale' })).event('go', '2026-03-02T10:00:00Z');
    expect(r.steps[1]?.effect).toEqual({ kind: 'email', template: 'sale', subject: 'Spring sale' });
  });

  describe('quiet hours', () => {
    const night = { timezone: 'Europe/Warsaw', quietHours: { start: '21:00', end: '08:00' } };

    it.each([
      { name: 'late evening → next morning', now: '2026-03-02T21:30:00Z', sendAt: '2026-03-03T07:00:00.000Z' },
      { name: 'at the start of the window', now: '2026-03-02T20:00:00Z', sendAt: '2026-03-03T07:00:00.000Z' },
      { name: 'a minute before the end', now: '2026-03-03T06:59:00Z', sendAt: '2026-03-03T07:00:00.000Z' },
      {
        name: 'across the spring change (ends 08:00 CEST)',
        now: '2026-03-28T22:00:00Z',
        sendAt: '2026-03-29T06:00:00.000Z',
      },
      {
        name: 'across the autumn change (ends 08:00 CET)',
        now: '2026-10-24T22:00:00Z',
        sendAt: '2026-10-25T07:00:00.000Z',
      },
    ])('defers an email due inside the window to its end: $name', ({ now, sendAt }) => {
      const runner = new Runner(mailJourney({ template: 'news' }, night));
      const r = runner.event('go', now);
      expect(trail(r)).toEqual(['start']);
      expect(r.effects).toEqual([]);
      expect(iso(r.wakeAt)).toBe(sendAt);
      const later = runner.timer(sendAt);
      expect(trail(later)).toEqual(['mail', 'end!completed']);
      expect(later.steps[0]).toMatchObject({ at: at(sendAt), effect: { kind: 'email', template: 'news' } });
      expect(later.effects).toHaveLength(1);
    });

    it.each([
      { name: 'midday', now: '2026-03-02T12:00:00Z' },
      { name: 'exactly when the window ends', now: '2026-03-03T07:00:00Z' },
      { name: 'a minute before the window starts', now: '2026-03-02T19:59:00Z' },
    ])('sends at once outside the window: $name', ({ now }) => {
      const r = new Runner(mailJourney({ template: 'news' }, night)).event('go', now);
      expect(trail(r)).toEqual(['start', 'mail', 'end!completed']);
      expect(r.effects).toHaveLength(1);
    });

    it("uses the contact's timezone attribute, not the journey's", () => {
      // 12:00Z is 13:00 in Warsaw (allowed) but 07:00 in New York (quiet until 08:00 EST).
      const runner = new Runner(mailJourney({ template: 'news' }, night), { timezone: 'America/New_York' });
      expect(trail(runner.event('go', '2026-03-03T12:00:00Z'))).toEqual(['start']);
      expect(iso(runner.wakeAt)).toBe('2026-03-03T13:00:00.000Z');
      expect(trail(runner.timer('2026-03-03T13:00:00Z'))).toEqual(['mail', 'end!completed']);
    });

    it('ends the window at local 08:00 on the day New York springs forward', () => {
      const runner = new Runner(mailJourney({ template: 'news' }, night), { timezone: 'America/New_York' });
      runner.event('go', '2026-03-08T05:00:00Z');
      expect(iso(runner.wakeAt)).toBe('2026-03-08T12:00:00.000Z');
    });

    it('handles a window inside one day', () => {
      const lunch = { timezone: 'UTC', quietHours: { start: '12:00', end: '14:00' } };
      const runner = new Runner(mailJourney({ template: 'news' }, lunch));
      runner.event('go', '2026-03-02T13:00:00Z');
      expect(iso(runner.wakeAt)).toBe('2026-03-02T14:00:00.000Z');
      expect(trail(new Runner(mailJourney({ template: 'news' }, lunch)).event('go', '2026-03-02T11:00:00Z'))).toContain(
        'mail',
      );
    });
  });

  describe('frequency cap', () => {
    const capped = (settings: JourneySettings) =>
      prepare(
        [
          { id: 'start', type: 'trigger.event', config: { event: 'go' } },
          { id: 'm1', type: 'action.sendEmail', config: { template: 'one' } },
          { id: 'm2', type: 'action.sendEmail', config: { template: 'two' } },
          { id: 'pause', type: 'flow.wait', config: { duration: 'P7D' } },
          { id: 'm3', type: 'action.sendEmail', config: { template: 'three' } },
          { id: 'end', type: 'flow.exit' },
        ],
        ['start -> m1', 'm1 -> m2', 'm2 -> pause', 'pause -> m3', 'm3 -> end'],
        settings,
      );

    it('skips a send over the cap, records it, and carries on', () => {
      const runner = new Runner(capped({ frequencyCap: { max: 1, per: 'P7D' } }));
      const r = runner.event('go', '2026-03-02T10:00:00Z');
      expect(trail(r)).toEqual(['start', 'm1', 'm2~frequencyCap']);
      expect(r.steps[2]?.effect).toBeUndefined();
      expect(r.effects.map((e) => e.node)).toEqual(['m1']);
      expect(r.state.emailsSent).toEqual([at('2026-03-02T10:00:00Z')]);
      expect(runner.runs[0]?.node).toBe('pause');
    });

    it('sends again once the earlier email has left the window', () => {
      const runner = new Runner(capped({ frequencyCap: { max: 1, per: 'P7D' } }));
      runner.event('go', '2026-03-02T10:00:00Z');
      const [r] = runner.runUntil('2026-03-20T00:00:00Z');
      expect(trail(r ?? [])).toEqual(['pause', 'm3', 'end!completed']);
      expect(r?.effects.map((e) => e.node)).toEqual(['m3']);
    });

    it('allows up to max emails per window', () => {
      const r = new Runner(capped({ frequencyCap: { max: 2, per: 'P1D' } })).event('go', '2026-03-02T10:00:00Z');
      expect(trail(r)).toEqual(['start', 'm1', 'm2']);
      expect(r.effects).toHaveLength(2);
    });

    it('counts emails from earlier runs of the same contact', () => {
      const j = mailJourney({ template: 'promo' }, { reEntry: 'always', frequencyCap: { max: 1, per: 'P1D' } });
      const runner = new Runner(j);
      expect(trail(runner.event('go', '2026-03-02T10:00:00Z'))).toEqual(['start', 'mail', 'end!completed']);
      expect(trail(runner.event('go', '2026-03-02T18:00:00Z'))).toEqual([
        'start',
        'mail~frequencyCap',
        'end!completed',
      ]);
      expect(trail(runner.event('go', '2026-03-03T10:30:00Z'))).toEqual(['start', 'mail', 'end!completed']);
      expect(runner.effects).toHaveLength(2);
    });

    it('checks the cap when a deferred email finally goes out', () => {
      const j = prepare(
        [
          { id: 'start', type: 'trigger.event', config: { event: 'go' } },
          { id: 'm1', type: 'action.sendEmail', config: { template: 'one' } },
          { id: 'm2', type: 'action.sendEmail', config: { template: 'two' } },
          { id: 'end', type: 'flow.exit' },
        ],
        ['start -> m1', 'm1 -> m2', 'm2 -> end'],
        {
          reEntry: 'always',
          timezone: 'UTC',
          quietHours: { start: '22:00', end: '07:00' },
          frequencyCap: { max: 1, per: 'P1D' },
        },
      );
      const runner = new Runner(j);
      runner.event('go', '2026-03-02T23:00:00Z');
      const [r] = runner.runUntil('2026-03-03T12:00:00Z');
      expect(trail(r ?? [])).toEqual(['m1', 'm2~frequencyCap', 'end!completed']);
    });
  });

  it('skips a suppressed contact and carries on', () => {
    const r = new Runner(mailJourney({ template: 'welcome' }), { id: 'c1', attributes: {}, suppressed: true }).event(
      'go',
      '2026-03-02T10:00:00Z',
    );
    expect(trail(r)).toEqual(['start', 'mail~suppressed', 'end!completed']);
    expect(r.steps[1]?.effect).toBeUndefined();
    expect(r.effects).toEqual([]);
  });

  describe('subjectFrom ai', () => {
    const generated = prepare(
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 'gen', type: 'ai.generateSubject', config: { brief: 'spring sale for gardeners', variants: 3 } },
        { id: 'mail', type: 'action.sendEmail', config: { template: 'sale', subjectFrom: 'ai' } },
        { id: 'end', type: 'flow.exit' },
      ],
      ['start -> gen', 'gen -> mail', 'mail -> end'],
    );
    const variants = ['Bloom early', 'Seeds 20% off', 'Your garden misses you'];

    it('uses one of the generated variants and says which', () => {
      const runner = new Runner(generated);
      runner.manual('2026-03-02T10:00:00Z');
      const r = runner.result('gen', '2026-03-02T10:00:05Z', { ok: true, output: { variants } });
      expect(trail(r)).toEqual(['gen', 'mail', 'end!completed']);
      const email = r.steps[1]?.effect;
      expect(email).toMatchObject({ kind: 'email', template: 'sale' });
      if (email?.kind !== 'email' || email.variant === undefined) throw new Error('no variant');
      expect(email.subject).toBe(variants[email.variant]);
    });

    it('favours the variant that performs best', () => {
      const stats = (node: string): VariantStats =>
        node === 'mail'
          ? {
              '0': { trials: 1000, successes: 10 },
              '1': { trials: 1000, successes: 400 },
              '2': { trials: 1000, successes: 10 },
            }
          : {};
      const subjects = Array.from({ length: 100 }, (_, i) => {
        const runner = new Runner(generated, { id: `c${i}`, attributes: {} }, { stats });
        runner.manual('2026-03-02T10:00:00Z');
        const effect = runner.result('gen', '2026-03-02T10:00:05Z', { ok: true, output: { variants } }).steps[1]
          ?.effect;
        return effect?.kind === 'email' ? effect.subject : undefined;
      });
      expect(subjects.filter((s) => s === 'Seeds 20% off').length).toBeGreaterThanOrEqual(95);
    });

    it("uses the reviewer's edited subjects over the generated ones", () => {
      const reviewed = prepare(
        [
          { id: 'start', type: 'trigger.manual' },
          { id: 'gen', type: 'ai.generateSubject', config: { brief: 'spring sale for gardeners', variants: 3 } },
          { id: 'review', type: 'flow.approval', config: {} },
          { id: 'mail', type: 'action.sendEmail', config: { template: 'sale', subjectFrom: 'ai' } },
          { id: 'end', type: 'flow.exit' },
        ],
        [
          'start -> gen',
          'gen -> review',
          'review:approved -> mail',
          'review:rejected -> end',
          'review:timeout -> end',
          'mail -> end',
        ],
      );
      const runner = new Runner(reviewed);
      runner.manual('2026-03-02T10:00:00Z');
      runner.result('gen', '2026-03-02T10:00:05Z', { ok: true, output: { variants } });
      const r = runner.decide('review', 'approved', '2026-03-02T11:00:00Z', {
        content: { subjects: ['Spring is here'] },
      });
      expect(trail(r)).toEqual(['review:approved', 'mail', 'end!completed']);
      expect(r.steps[1]?.effect).toEqual({ kind: 'email', template: 'sale', subject: 'Spring is here', variant: 0 });
    });

    it('fails with a coded error and sends nothing when no subjects reached the node', () => {
      const alone = mailJourney({ template: 'sale', subjectFrom: 'ai' });
      const r = new Runner(alone).event('go', '2026-03-02T10:00:00Z');
      expect(trail(r)).toEqual(['start', 'mail#node_failed']);
      expect(r.effects).toEqual([]);
      // A journey without subjects will not grow them: the failure is permanent and ends the run.
      expect(r.state.runs).toEqual([]);
    });
  });
});

describe('action.updateContact', () => {
  const journey = (condition: unknown) =>
    prepare(
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 'upgrade', type: 'action.updateContact', config: { set: { plan: 'pro' }, unset: ['coupon'] } },
        { id: 'check', type: 'flow.condition', config: { if: condition } },
        { id: 'yes', type: 'flow.exit' },
        { id: 'no', type: 'flow.exit' },
      ],
      ['start -> upgrade', 'upgrade -> check', 'check:yes -> yes', 'check:no -> no'],
    );

  it('applies set to later conditions in the same run', () => {
    const r = new Runner(journey({ attribute: 'plan', op: 'eq', value: 'pro' }), {
      plan: 'free',
      coupon: 'SPRING',
    }).manual('2026-03-02T10:00:00Z');
    expect(trail(r)).toEqual(['start', 'upgrade', 'check:yes', 'yes!completed']);
    expect(r.contact.attributes).toEqual({ plan: 'pro' });
    const effect = { kind: 'updateContact', set: { plan: 'pro' }, unset: ['coupon'] };
    expect(r.steps[1]?.effect).toEqual(effect);
    expect(r.effects).toEqual([{ runId: 'c1:1', node: 'upgrade', key: 'c1:1:upgrade:1', effect }]);
  });

  it('applies unset to later conditions in the same run', () => {
    const r = new Runner(journey({ attribute: 'coupon', op: 'exists' }), { coupon: 'SPRING' }).manual(
      '2026-03-02T10:00:00Z',
    );
    expect(trail(r)).toContain('check:no');
  });

  it('hands the updated contact back so later advances see it', () => {
    const j = prepare(
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 'upgrade', type: 'action.updateContact', config: { set: { plan: 'pro' } } },
        { id: 'later', type: 'flow.wait', config: { duration: 'P1D' } },
        { id: 'check', type: 'flow.condition', config: { if: { attribute: 'plan', op: 'eq', value: 'pro' } } },
        { id: 'yes', type: 'flow.exit' },
        { id: 'no', type: 'flow.exit' },
      ],
      ['start -> upgrade', 'upgrade -> later', 'later -> check', 'check:yes -> yes', 'check:no -> no'],
    );
    const runner = new Runner(j, { plan: 'free' });
    runner.manual('2026-03-02T10:00:00Z');
    expect(runner.contact.attributes).toEqual({ plan: 'pro' });
    expect(trail(runner.runUntil('2026-03-04T00:00:00Z')[0] ?? [])).toEqual(['later', 'check:yes', 'yes!completed']);
  });

  it('does not modify the contact object it was given', () => {
    const contact = { id: 'c1', attributes: { plan: 'free' } };
    new Runner(journey({ attribute: 'plan', op: 'eq', value: 'pro' }), contact).manual('2026-03-02T10:00:00Z');
    expect(contact).toEqual({ id: 'c1', attributes: { plan: 'free' } });
  });
});

describe('action.webhook', () => {
  const config = {
    url: 'https://crm.example.com/hook',
    headers: { Authorization: 'Bearer t' },
    body: '{"email":"{{contact.email}}"}',
  };
  const journey = prepare(
    [
      { id: 'start', type: 'trigger.manual' },
      { id: 'hook', type: 'action.webhook', config },
      { id: 'ok', type: 'flow.exit' },
      { id: 'bad', type: 'flow.exit' },
    ],
    ['start -> hook', 'hook -> ok', 'hook:failed -> bad'],
  );
  const effect = { kind: 'webhook', url: config.url, method: 'POST', headers: config.headers, body: config.body };

  it('asks for the request (POST by default) and waits for its result', () => {
    const runner = new Runner(journey);
    const r = runner.manual('2026-03-02T10:00:00Z');
    expect(trail(r)).toEqual(['start']);
    expect(r.effects).toEqual([{ runId: 'c1:1', node: 'hook', key: 'c1:1:hook:1', effect }]);
    expect(runner.runs[0]).toMatchObject({
      node: 'hook',
      awaiting: { name: 'effect.result', forThisNode: true },
      pending: effect,
    });
    expect(r.wakeAt).toBeUndefined();
  });

  it('leaves through next when the call succeeds, reporting the effect', () => {
    const runner = new Runner(journey);
    runner.manual('2026-03-02T10:00:00Z');
    const r = runner.result('hook', '2026-03-02T10:00:01Z', { ok: true, output: { status: 200 } });
    expect(trail(r)).toEqual(['hook', 'ok!completed']);
    expect(r.steps[0]?.effect).toEqual(effect);
    expect(r.effects).toEqual([]);
  });

  it('leaves through failed when the call fails', () => {
    const runner = new Runner(journey);
    runner.manual('2026-03-02T10:00:00Z');
    const r = runner.result('hook', '2026-03-02T10:00:01Z', {
      ok: false,
      error: { code: 'http_500', message: 'server error' },
    });
    expect(trail(r)).toEqual(['hook:failed', 'bad!completed']);
  });

  it('treats a result without ok: true as a failure', () => {
    const runner = new Runner(journey);
    runner.manual('2026-03-02T10:00:00Z');
    expect(trail(runner.result('hook', '2026-03-02T10:00:01Z', { ok: 'yes' }))).toEqual([
      'hook:failed',
      'bad!completed',
    ]);
  });

  it('reports a result for another node or another run as event_not_awaited', () => {
    const runner = new Runner(journey);
    runner.manual('2026-03-02T10:00:00Z');
    const other = runner.result('start', '2026-03-02T10:00:01Z', { ok: true });
    expect(other.errors).toEqual([expect.objectContaining({ code: 'event_not_awaited', nodeId: 'start' })]);
    const stale = runner.result('hook', '2026-03-02T10:00:02Z', { ok: true, run: 'c1:0' });
    expect(stale.errors).toEqual([expect.objectContaining({ code: 'event_not_awaited', nodeId: 'hook' })]);
    expect(stale.steps).toEqual([]);
    expect(trail(runner.result('hook', '2026-03-02T10:00:03Z', { ok: true, run: 'c1:1' }))).toEqual([
      'hook',
      'ok!completed',
    ]);
  });
});
