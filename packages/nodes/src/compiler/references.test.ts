import { describe, expect, it } from 'vitest';
import { registry } from '../test-util.ts';
import { missingReferenceProblems, resourceReferences } from './references.ts';

const described = new Map(registry.describe().map((d) => [`${d.type}@${d.version}`, d.configSchema]));
const schemaOf = (type: string, version: number) => described.get(`${type}@${version}`);

describe('resourceReferences', () => {
  it('finds the templates and segments steps name, through the fields their schema marks', () => {
    const refs = resourceReferences(
      [
        { id: 'start', type: 'trigger.segment', config: { segment: 'vip' } },
        { id: 'mail', type: 'action.sendEmail', config: { template: 'welcome' } },
        { id: 'blank', type: 'action.sendEmail', config: {} },
        { id: 'wait', type: 'flow.wait', config: { duration: 'PT1H' } },
        { id: 'odd', type: 'vendor.unknown', config: { template: 'x' } },
      ],
      schemaOf,
    );
    expect(refs).toEqual([
      { nodeId: 'start', kind: 'segment', id: 'vip', path: ['segment'] },
      { nodeId: 'mail', kind: 'template', id: 'welcome', path: ['template'] },
    ]);
  });

  it('follows $refs, nested objects and arrays of a custom node type', () => {
    const schema = {
      type: 'object',
      properties: {
        steps: { type: 'array', items: { $ref: '#/$defs/step' } },
      },
      $defs: {
        step: { type: 'object', properties: { mail: { type: 'string', 'x-waymark-widget': 'template' } } },
      },
    };
    const refs = resourceReferences(
      [{ id: 'drip', type: 'vendor.drip', config: { steps: [{ mail: 'a' }, {}, { mail: 'b' }] } }],
      () => schema,
    );
    expect(refs.map((r) => [r.id, r.path])).toEqual([
      ['a', ['steps', 0, 'mail']],
      ['b', ['steps', 2, 'mail']],
    ]);
  });
});

describe('missingReferenceProblems', () => {
  const refs = [
    { nodeId: 'mail', kind: 'template', id: 'welcome', path: ['template'] },
    { nodeId: 'coupon', kind: 'template', id: 'cart-coupon', path: ['template'] },
    { nodeId: 'start', kind: 'segment', id: 'gone', path: ['segment'] },
  ] as const;

  it('reports each reference to an id that does not exist, on its step and field', () => {
    const problems = missingReferenceProblems(
      refs.map((r) => ({ ...r, path: [...r.path] })),
      { template: new Set(['welcome']), segment: new Set(['vip']) },
    );
    expect(problems).toEqual([
      {
        code: 'unknown_template',
        message: 'template "cart-coupon" does not exist',
        nodeId: 'coupon',
        path: ['template'],
      },
      { code: 'unknown_segment', message: 'segment "gone" does not exist', nodeId: 'start', path: ['segment'] },
    ]);
  });

  it('does not check a kind whose ids are not known', () => {
    expect(
      missingReferenceProblems(
        refs.map((r) => ({ ...r, path: [...r.path] })),
        { segment: new Set(['gone']) },
      ),
    ).toEqual([]);
  });
});
