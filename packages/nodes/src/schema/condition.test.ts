import { describe, expect, it } from 'vitest';
import { validateJourney } from '../compiler/validate.ts';
import { defaultRegistry } from '../default-registry.ts';
import { conditionSchema } from './condition.ts';

const errorsOf = (value: unknown) => {
  const parsed = conditionSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('conditionSchema errors', () => {
  it.each([
    [
      { attribute: 'plan', op: 'eqq', value: 'x' },
      ['op: must be one of eq, neq, gt, gte, lt, lte, contains, in, exists'],
    ],
    [
      { all: [{ attribute: 'plan', op: 'eq' }, { any: [{ not: { event: 'x', count: { op: 'many', value: 1 } } }] }] },
      ['all.1.any.0.not.count.op: must be one of eq, neq, gt, gte, lt, lte'],
    ],
    [{ event: 'buy', within: 'soon' }, ['within: must be an ISO 8601 duration such as PT1H or P3D']],
    [{ event: 'buy', where: { attribute: 'sku', op: 'eq', colour: 'red' } }, ['where: Unrecognized key: "colour"']],
    [{ any: 'everyone' }, ['any: Invalid input: expected array, received string']],
    [{ foo: 1 }, [': must be a condition: an object with one of all, any, not, attribute, event']],
    ['plan = pro', [': must be a condition: an object with one of all, any, not, attribute, event']],
  ])('%j → %j', (value, expected) => {
    expect(errorsOf(value)).toEqual(expected);
  });

  it('accepts every kind of condition', () => {
    expect(
      errorsOf({
        all: [
          { attribute: 'plan', op: 'in', value: ['pro', 'team'] },
          {
            not: {
              event: 'purchase',
              count: { op: 'gte', value: 2 },
              within: 'P30D',
              where: { attribute: 'x', op: 'exists' },
            },
          },
          { any: [] },
        ],
      }),
    ).toEqual([]);
  });

  it('names the deepest failing field in a journey too', () => {
    const result = validateJourney(
      {
        schemaVersion: 1,
        id: 'j',
        nodes: [
          { id: 'go', type: 'trigger.event', config: { event: 'x' } },
          {
            id: 'vip',
            type: 'flow.condition',
            config: { if: { any: [{ attribute: 'plan', op: 'eqq', value: 'pro' }] } },
          },
          { id: 'yes', type: 'flow.exit', config: {} },
          { id: 'no', type: 'flow.exit', config: {} },
        ],
        edges: [
          { from: 'go', to: 'vip' },
          { from: 'vip', port: 'yes', to: 'yes' },
          { from: 'vip', port: 'no', to: 'no' },
        ],
      },
      defaultRegistry(),
    );
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual(
      expect.objectContaining({
        nodeId: 'vip',
        path: ['if', 'any', 0, 'op'],
        message: expect.stringContaining('if.any.0.op: must be one of eq, neq, gt, gte, lt, lte, contains, in, exists'),
      }),
    );
  });
});
