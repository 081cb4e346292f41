import {
  advance,
  type ContactJourneyState,
  defaultRegistry,
  type JourneyDefinitionInput,
  validateJourney,
} from '@waymark/nodes';

/** A 10-node journey: trigger, waits, a condition, a split, emails, an update and exits. */
export const tenNodeJourney: JourneyDefinitionInput = {
  schemaVersion: 1,
  id: 'bench-10',
  settings: { timezone: 'Europe/Warsaw' },
  nodes: [
    { id: 'start', type: 'trigger.event', config: { event: 'signed_up' } },
    { id: 'w1', type: 'flow.wait', config: { duration: 'PT1H' } },
    { id: 'pro', type: 'flow.condition', config: { if: { attribute: 'plan', op: 'eq', value: 'pro' } } },
    { id: 'welcome', type: 'action.sendEmail', config: { template: 'welcome' } },
    { id: 'w2', type: 'flow.wait', config: { duration: 'PT24H' } },
    {
      id: 'split',
      type: 'flow.split',
      config: {
        branches: [
          { port: 'a', weight: 50 },
          { port: 'b', weight: 50 },
        ],
      },
    },
    { id: 'tag', type: 'action.updateContact', config: { set: { onboarded: true } } },
    { id: 'tips', type: 'action.sendEmail', config: { template: 'tips' } },
    { id: 'upsell', type: 'action.sendEmail', config: { template: 'upsell' } },
    { id: 'done', type: 'flow.exit', config: {} },
  ],
  edges: [
    { from: 'start', to: 'w1' },
    { from: 'w1', to: 'pro' },
    { from: 'pro', port: 'yes', to: 'welcome' },
    { from: 'pro', port: 'no', to: 'upsell' },
    { from: 'upsell', to: 'w2' },
    { from: 'welcome', to: 'w2' },
    { from: 'w2', to: 'split' },
    { from: 'split', port: 'a', to: 'tag' },
    { from: 'split', port: 'b', to: 'tips' },
    { from: 'tag', to: 'done' },
    { from: 'tips', to: 'done' },
  ],
};

/** Runs `contacts` contacts through the journey with the interpreter; returns transitions and seconds. */
export function runInterpreter(contacts: number): { transitions: number; seconds: number } {
  const result = validateJourney(tenNodeJourney, defaultRegistry());
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const journey = result.journey;
  const t0 = Date.parse('2026-03-02T10:00:00Z');
  let transitions = 0;
  const started = performance.now();
  for (let i = 0; i < contacts; i++) {
    const contact = { id: `c${i}`, attributes: { plan: i % 3 === 0 ? 'pro' : 'free' } };
    let r = advance(
      journey,
      undefined,
      { kind: 'event', event: { event: 'signed_up', at: t0, properties: {} } },
      { now: t0, contact },
    );
    transitions += r.steps.length;
    let state: ContactJourneyState = r.state;
    while (r.wakeAt !== undefined) {
      r = advance(journey, state, { kind: 'timer' }, { now: r.wakeAt, contact: r.contact });
      transitions += r.steps.length;
      state = r.state;
    }
  }
  return { transitions, seconds: (performance.now() - started) / 1000 };
}

/**
 * The baseline: the same journey hand-written as a switch over node ids, carrying the same state
 * (node, wake time, effects), to show what the interpreter costs over the least code that could do it.
 */
export function runHandWritten(contacts: number): { transitions: number; seconds: number } {
  const t0 = Date.parse('2026-03-02T10:00:00Z');
  let transitions = 0;
  let emails = 0;
  const started = performance.now();
  for (let i = 0; i < contacts; i++) {
    const attributes: Record<string, unknown> = { plan: i % 3 === 0 ? 'pro' : 'free' };
    let node = 'start';
    let now = t0;
    let wakeAt = 0;
    for (;;) {
      transitions++;
      if (node === 'start') node = 'w1';
      else if (node === 'w1') {
        if (wakeAt === 0) {
          wakeAt = now + 3_600_000;
          transitions--;
          now = wakeAt;
          continue;
        }
        wakeAt = 0;
        node = 'pro';
      } else if (node === 'pro') node = attributes.plan === 'pro' ? 'welcome' : 'upsell';
      else if (node === 'welcome' || node === 'upsell') {
        emails++;
        node = 'w2';
      } else if (node === 'w2') {
        if (wakeAt === 0) {
          wakeAt = now + 86_400_000;
          transitions--;
          now = wakeAt;
          continue;
        }
        wakeAt = 0;
        node = 'split';
      } else if (node === 'split') node = (i * 2654435761) % 2 === 0 ? 'tag' : 'tips';
      else if (node === 'tag') {
        attributes.onboarded = true;
        node = 'done';
      } else if (node === 'tips') {
        emails++;
        node = 'done';
      } else break;
    }
  }
  if (emails < 0) throw new Error('unreachable');
  return { transitions, seconds: (performance.now() - started) / 1000 };
}

/** The pure interpreter against the hand-written switch, in this process (no I/O). */
export const interpreterScenario = {
  name: 'interpreter (10-node journey, in memory)',
  async run(ctx: { quick: boolean; tiny: boolean }) {
    const contacts = ctx.tiny ? 500 : ctx.quick ? 5_000 : 100_000;
    runInterpreter(Math.min(contacts, 5_000)); // warm-up: JIT and caches
    runHandWritten(Math.min(contacts, 5_000));
    const interp = runInterpreter(contacts);
    const base = runHandWritten(contacts);
    const interpreterRate = interp.transitions / interp.seconds;
    const baselineRate = base.transitions / base.seconds;
    return {
      interpreter_contacts: contacts,
      interpreter_transitions: interp.transitions,
      interpreter_transitions_per_s: Math.round(interpreterRate),
      interpreter_baseline_handwritten_transitions_per_s: Math.round(baselineRate),
      interpreter_fraction_of_handwritten: Number((interpreterRate / baselineRate).toFixed(4)),
      interpreter_target_transitions_per_s: 1_000_000,
    };
  },
};
