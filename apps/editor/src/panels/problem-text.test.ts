import { defaultRegistry, type Problem, validateJourney } from '@waymark/nodes';
import { describe, expect, it } from 'vitest';
import { catalogOf } from '../canvas/registry.ts';
import { defaultStrings } from '../strings.ts';
import { problemText } from './problem-text.ts';

const registry = defaultRegistry();
const catalog = catalogOf(registry.describe());

/** The compiler's own problems for one step with this config, in the problems panel's words. */
function problemsOf(type: string, config: Record<string, unknown>): string[] {
  const result = validateJourney(
    {
      schemaVersion: 1,
      id: 'j',
      settings: {},
      nodes: [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'step', type, config },
        { id: 'end', type: 'flow.exit', config: {} },
      ],
      edges: [{ from: 'start', to: 'step' }],
    },
    registry,
  );
  const problems: Problem[] = result.ok ? [] : result.problems;
  return problems
    .filter((p) => p.nodeId === 'step' && p.code === 'invalid_config')
    .map((p) => problemText(p, catalog, type, defaultStrings));
}

describe('problemText', () => {
  it('words a nested condition path as the rules of the builder', () => {
    const texts = problemsOf('flow.condition', {
      if: {
        all: [
          { attribute: 'plan', op: 'eq', value: 'pro' },
          { event: 'purchase' },
          { any: [{ attribute: '', op: 'eq', value: 'x' }] },
        ],
      },
    });
    expect(texts).toEqual(['Condition, rule 3 → any of, rule 1: choose an attribute']);
  });

  it('names a single rule, an event rule, an event filter and other fields', () => {
    expect(problemsOf('flow.condition', { if: { attribute: '', op: 'eq', value: 1 } })).toEqual([
      'Condition: choose an attribute',
    ]);
    expect(problemsOf('flow.condition', { if: { any: [{ attribute: 'a', op: 'eq' }, { event: '' }] } })).toEqual([
      'Condition, rule 2: name the event',
    ]);
    expect(
      problemsOf('flow.condition', {
        if: {
          event: 'purchase',
          where: {
            all: [
              { attribute: 'total', op: 'gt', value: 1 },
              { attribute: '', op: 'eq' },
            ],
          },
        },
      }),
    ).toEqual(['Condition, only events where → rule 2: choose an event property']);
    const [op] = problemsOf('flow.condition', { if: { not: { attribute: 'plan', op: 'bigger', value: 1 } } });
    expect(op).toMatch(/^Condition, not: Operator: /);
  });

  it('names the field of a step with more than its condition, in event scope where the schema says so', () => {
    expect(
      problemsOf('trigger.event', { event: 'cart_abandoned', where: { all: [{ attribute: '', op: 'eq', value: 1 }] } }),
    ).toEqual(['When an event happens: Only when the event matches, rule 1: choose an event property']);
  });

  it('keeps field titles for other config paths and "is required" for missing values', () => {
    expect(problemsOf('action.sendEmail', {})).toEqual(['Send email: Template is required']);
    const [port] = problemsOf('flow.abTest', {
      variants: [
        { port: 'a', weight: 50 },
        { port: 'b c', weight: 50 },
      ],
    });
    expect(port).toBe('A/B test: Variants 2 › Variant name — must be letters, digits, _ or -');
  });

  it('words problems in the journey settings by the settings form, exit goals included', () => {
    const result = validateJourney(
      {
        schemaVersion: 1,
        id: 'j',
        settings: {
          exitOn: [{ event: '' }, { event: 'ordered', where: { all: [{ attribute: '', op: 'eq', value: 1 }] } }],
          quietHours: { start: '25:00', end: '07:00' },
        },
        nodes: [
          { id: 'start', type: 'trigger.manual', config: {} },
          { id: 'end', type: 'flow.exit', config: {} },
        ],
        edges: [{ from: 'start', to: 'end' }],
      },
      registry,
    );
    const problems: Problem[] = result.ok ? [] : result.problems;
    expect(problems.map((p) => problemText(p, catalog, undefined, defaultStrings))).toEqual([
      'Journey settings: Leave the journey when 1 › Event name — must not be empty',
      'Journey settings: Leave the journey when 2 › Only when the event matches, rule 1: choose an event property',
      'Journey settings: Quiet hours › From — must be a time of day as HH:MM (24-hour)',
    ]);
  });
});
