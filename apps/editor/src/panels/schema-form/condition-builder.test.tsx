import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { type Condition, conditionSchema } from '@waymark/nodes';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConditionBuilder } from './condition-builder.tsx';
import { parseValue, showValue, summarizeCondition } from './condition-model.ts';

afterEach(cleanup);

function Harness({ initial, onValue }: { initial?: Condition; onValue: (c: Condition | undefined) => void }) {
  const [value, setValue] = useState<Condition | undefined>(initial);
  return (
    <ConditionBuilder
      label="If"
      value={value}
      onChange={(c) => {
        setValue(c);
        onValue(c);
      }}
    />
  );
}

function lastValue(fn: ReturnType<typeof vi.fn>): Condition | undefined {
  const value = fn.mock.calls[fn.mock.calls.length - 1]?.[0] as Condition | undefined;
  // Whatever the builder writes is a valid condition of the journey language.
  if (value !== undefined) expect(conditionSchema.safeParse(value).success, JSON.stringify(value)).toBe(true);
  return value;
}

const rule = (n: number) => screen.getByRole('group', { name: `Rule ${n}` });

describe('ConditionBuilder', () => {
  it('builds the cart journey condition from nothing, as a bare attribute rule', () => {
    const onValue = vi.fn();
    render(<Harness onValue={onValue} />);
    expect(screen.getByText('No rules yet.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Add attribute rule' }));
    fireEvent.change(within(rule(1)).getByLabelText('Attribute'), { target: { value: 'plan' } });
    fireEvent.change(within(rule(1)).getByLabelText('Value'), { target: { value: 'pro' } });
    expect(lastValue(onValue)).toEqual({ attribute: 'plan', op: 'eq', value: 'pro' });
  });

  it('shows an existing rule and edits its operator and value', () => {
    const onValue = vi.fn();
    render(<Harness initial={{ attribute: 'age', op: 'eq', value: 30 }} onValue={onValue} />);
    expect(within(rule(1)).getByLabelText('Value')).toHaveProperty('value', '30');
    fireEvent.change(within(rule(1)).getByLabelText('Operator'), { target: { value: 'gte' } });
    expect(lastValue(onValue)).toEqual({ attribute: 'age', op: 'gte', value: 30 });
    fireEvent.change(within(rule(1)).getByLabelText('Operator'), { target: { value: 'in' } });
    fireEvent.change(within(rule(1)).getByLabelText('Value'), { target: { value: '30, 40, "50"' } });
    expect(lastValue(onValue)).toEqual({ attribute: 'age', op: 'in', value: [30, 40, '50'] });
  });

  it('writes "is set" and "is not set" as exists rules without a value field', () => {
    const onValue = vi.fn();
    render(<Harness initial={{ attribute: 'email', op: 'eq', value: '' }} onValue={onValue} />);
    fireEvent.change(within(rule(1)).getByLabelText('Operator'), { target: { value: 'exists' } });
    expect(lastValue(onValue)).toEqual({ attribute: 'email', op: 'exists' });
    expect(within(rule(1)).queryByLabelText('Value')).toBeNull();
    fireEvent.change(within(rule(1)).getByLabelText('Operator'), { target: { value: 'notExists' } });
    expect(lastValue(onValue)).toEqual({ attribute: 'email', op: 'exists', value: false });
  });

  it('groups several rules under all or any', () => {
    const onValue = vi.fn();
    render(<Harness initial={{ attribute: 'plan', op: 'eq', value: 'pro' }} onValue={onValue} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add attribute rule' }));
    fireEvent.change(within(rule(2)).getByLabelText('Attribute'), { target: { value: 'country' } });
    fireEvent.change(within(rule(2)).getByLabelText('Value'), { target: { value: 'PL' } });
    expect(lastValue(onValue)).toEqual({
      all: [
        { attribute: 'plan', op: 'eq', value: 'pro' },
        { attribute: 'country', op: 'eq', value: 'PL' },
      ],
    });
    fireEvent.change(screen.getAllByLabelText('Match')[0] as HTMLElement, { target: { value: 'any' } });
    expect(lastValue(onValue)).toEqual({
      any: [
        { attribute: 'plan', op: 'eq', value: 'pro' },
        { attribute: 'country', op: 'eq', value: 'PL' },
      ],
    });
  });

  it('counts events within a window, with a filter on event properties', () => {
    const onValue = vi.fn();
    render(<Harness onValue={onValue} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add event rule' }));
    const r = rule(1);
    fireEvent.change(within(r).getByLabelText('Event name'), { target: { value: 'purchase' } });
    fireEvent.change(within(r).getByLabelText('How many times'), { target: { value: 'gte' } });
    fireEvent.change(within(r).getByLabelText('Count'), { target: { value: '2' } });
    fireEvent.change(within(r).getByLabelText('Within the last', { selector: 'input' }), { target: { value: '30' } });
    fireEvent.change(within(r).getByLabelText('Within the last (Unit)'), { target: { value: 'days' } });
    expect(lastValue(onValue)).toEqual({ event: 'purchase', count: { op: 'gte', value: 2 }, within: 'P30D' });
    fireEvent.click(within(r).getByRole('button', { name: 'Only events where…' }));
    const filter = within(r).getByRole('group', { name: 'Only events where…' });
    expect(within(filter).queryByRole('button', { name: 'Add event rule' })).toBeNull();
    fireEvent.change(within(filter).getByLabelText('Event property'), { target: { value: 'total' } });
    fireEvent.change(within(filter).getByLabelText('Operator'), { target: { value: 'gt' } });
    fireEvent.change(within(filter).getByLabelText('Value'), { target: { value: '100' } });
    expect(lastValue(onValue)).toEqual({
      event: 'purchase',
      count: { op: 'gte', value: 2 },
      within: 'P30D',
      where: { attribute: 'total', op: 'gt', value: 100 },
    });
    fireEvent.click(within(r).getByRole('button', { name: 'Remove the filter' }));
    expect(lastValue(onValue)).toEqual({ event: 'purchase', count: { op: 'gte', value: 2 }, within: 'P30D' });
  });

  it('negates a rule with Not, and nests groups', () => {
    const onValue = vi.fn();
    render(<Harness initial={{ attribute: 'plan', op: 'eq', value: 'pro' }} onValue={onValue} />);
    fireEvent.click(within(rule(1)).getByLabelText('Not'));
    expect(lastValue(onValue)).toEqual({ not: { attribute: 'plan', op: 'eq', value: 'pro' } });
    fireEvent.click(within(rule(1)).getByLabelText('Not'));
    expect(lastValue(onValue)).toEqual({ attribute: 'plan', op: 'eq', value: 'pro' });
    fireEvent.click(screen.getAllByRole('button', { name: 'Add group' })[0] as HTMLElement);
    const group = rule(2);
    fireEvent.change(within(group).getByLabelText('Attribute'), { target: { value: 'country' } });
    fireEvent.change(within(group).getByLabelText('Value'), { target: { value: 'DE' } });
    expect(lastValue(onValue)).toEqual({
      all: [{ attribute: 'plan', op: 'eq', value: 'pro' }, { any: [{ attribute: 'country', op: 'eq', value: 'DE' }] }],
    });
  });

  it('removes rules, down to no condition at all', () => {
    const onValue = vi.fn();
    render(<Harness initial={{ attribute: 'plan', op: 'eq', value: 'pro' }} onValue={onValue} />);
    fireEvent.click(screen.getByRole('button', { name: 'Remove rule 1' }));
    expect(onValue).toHaveBeenLastCalledWith(undefined);
    expect(screen.getByText('No rules yet.')).toBeTruthy();
  });

  it('changes a rule from attribute to event count', () => {
    const onValue = vi.fn();
    render(<Harness initial={{ attribute: 'plan', op: 'eq', value: 'pro' }} onValue={onValue} />);
    fireEvent.change(within(rule(1)).getByLabelText('Rule type'), { target: { value: 'event' } });
    fireEvent.change(within(rule(1)).getByLabelText('Event name'), { target: { value: 'login' } });
    expect(lastValue(onValue)).toEqual({ event: 'login' });
  });
});

describe('rule values', () => {
  it.each([
    ['pro', 'pro'],
    ['30', 30],
    ['-1.5', -1.5],
    ['true', true],
    ['false', false],
    ['null', null],
    ['"30"', '30'],
    ['"true"', 'true'],
    ['', ''],
  ])('reads %j as %j and shows it back the same', (text, value) => {
    expect(parseValue(text)).toEqual(value);
    expect(parseValue(showValue(value))).toEqual(value);
  });

  it('summarises conditions for the canvas', () => {
    expect(summarizeCondition({ attribute: 'plan', op: 'eq', value: 'pro' })).toBe('plan = pro');
    expect(
      summarizeCondition({
        any: [
          { attribute: 'plan', op: 'eq', value: 'pro' },
          { event: 'purchase', count: { op: 'gte', value: 2 }, within: 'P30D' },
        ],
      }),
    ).toBe('plan = pro or purchase ≥ 2× in 30 days');
    expect(summarizeCondition({ not: { attribute: 'email', op: 'exists' } })).toBe('not (has email)');
  });

  it('leaves rules still being filled in out of the summary', () => {
    expect(
      summarizeCondition({
        all: [
          { attribute: 'plan', op: 'eq', value: 'pro' },
          { event: 'purchase' },
          { attribute: '', op: 'eq', value: '' },
          { event: '' },
          { not: { attribute: '', op: 'exists' } },
          { any: [{ attribute: '', op: 'eq', value: '' }] },
        ],
      }),
    ).toBe('plan = pro and purchase');
    expect(summarizeCondition({ all: [{ attribute: '', op: 'eq', value: '' }] })).toBe('');
    expect(
      summarizeCondition({
        all: [
          { attribute: 'plan', op: 'eq', value: 'pro' },
          { any: [{ event: 'purchase' }, { attribute: 'vip', op: 'eq', value: true }, { event: '' }] },
        ],
      }),
    ).toBe('plan = pro and (purchase or vip = true)');
  });
});
