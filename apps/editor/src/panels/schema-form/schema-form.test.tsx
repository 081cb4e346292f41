import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { defaultRegistry, journeyDefinitionJsonSchema } from '@waymark/nodes';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { JsonSchema, PortKeys } from './json-schema.ts';
import { initialValue } from './json-schema.ts';
import { type FieldProblem, SchemaForm } from './schema-form.tsx';

afterEach(cleanup);

const described = defaultRegistry().describe();
const schemaOf = (type: string) => described.find((d) => d.type === type)?.configSchema as JsonSchema;

function Harness(props: {
  schema: JsonSchema;
  initial?: Record<string, unknown>;
  problems?: FieldProblem[];
  ports?: PortKeys;
  onValue?: (v: Record<string, unknown>) => void;
}) {
  const [value, setValue] = useState<Record<string, unknown>>(props.initial ?? {});
  return (
    <SchemaForm
      schema={props.schema}
      value={value}
      problems={props.problems ?? []}
      ports={props.ports}
      onChange={(v) => {
        setValue(v);
        props.onValue?.(v);
      }}
    />
  );
}

function last(fn: ReturnType<typeof vi.fn>) {
  return fn.mock.calls[fn.mock.calls.length - 1]?.[0];
}

describe('SchemaForm', () => {
  it.each(described.map((d) => [d.type, d]))('renders a labelled form for %s', (_type, d) => {
    const { container } = render(<Harness schema={d.configSchema as JsonSchema} />);
    for (const control of container.querySelectorAll('input, select, textarea')) {
      const id = control.getAttribute('id');
      const labelled =
        control.hasAttribute('aria-label') ||
        (id !== null && container.querySelector(`label[for="${CSS.escape(id)}"]`) !== null);
      expect(labelled, `${control.outerHTML} has a label`).toBe(true);
    }
  });

  it('edits text, enum and number fields of a custom node type made with zod', () => {
    const schema = z.toJSONSchema(
      z.object({
        channel: z.string().min(1).meta({ title: 'Channel' }),
        priority: z.enum(['low', 'high']).optional().meta({ title: 'Priority' }),
        retries: z.number().int().min(0).max(5).optional().meta({ title: 'Retries' }),
        loud: z.boolean().optional().meta({ title: 'Notify everyone' }),
      }),
      { io: 'input' },
    ) as JsonSchema;
    const onValue = vi.fn();
    render(<Harness schema={schema} onValue={onValue} />);
    fireEvent.change(screen.getByLabelText(/^Channel/), { target: { value: '#sales' } });
    fireEvent.change(screen.getByLabelText(/^Priority/), { target: { value: '1' } });
    fireEvent.change(screen.getByLabelText(/^Retries/), { target: { value: '3' } });
    fireEvent.click(screen.getByLabelText('Notify everyone'));
    expect(last(onValue)).toEqual({ channel: '#sales', priority: 'high', retries: 3, loud: true });
    fireEvent.change(screen.getByLabelText(/^Channel/), { target: { value: '' } });
    expect(last(onValue)).not.toHaveProperty('channel');
  });

  it('writes ISO 8601 durations from a number and a unit', () => {
    const onValue = vi.fn();
    render(
      <Harness schema={schemaOf('flow.waitForEvent')} initial={{ event: 'x', timeout: 'PT1H' }} onValue={onValue} />,
    );
    const amount = screen.getByLabelText(/^Give up after/, { selector: 'input' });
    expect(amount).toHaveProperty('value', '1');
    fireEvent.change(amount, { target: { value: '2' } });
    expect(last(onValue).timeout).toBe('PT2H');
    fireEvent.change(screen.getByLabelText('Give up after (Unit)'), { target: { value: 'days' } });
    expect(last(onValue).timeout).toBe('P2D');
  });

  it('offers before/after for durations that may be negative', () => {
    const onValue = vi.fn();
    render(<Harness schema={schemaOf('trigger.date')} initial={{ attribute: 'birthday' }} onValue={onValue} />);
    fireEvent.change(screen.getByLabelText(/^Offset/, { selector: 'input' }), { target: { value: '3' } });
    fireEvent.change(screen.getByLabelText('Offset (negative is before) (Unit)'), { target: { value: 'days' } });
    fireEvent.change(screen.getByLabelText('Offset (negative is before) (Before or after)'), {
      target: { value: 'before' },
    });
    expect(last(onValue).offset).toBe('-P3D');
  });

  it('keeps a duration of several units as typed', () => {
    const onValue = vi.fn();
    render(<Harness schema={schemaOf('flow.wait')} initial={{ duration: 'P1DT2H' }} onValue={onValue} />);
    const raw = screen.getByLabelText(/^Wait for/);
    expect(raw).toHaveProperty('value', 'P1DT2H');
    fireEvent.change(raw, { target: { value: 'P1DT3H' } });
    expect(last(onValue)).toEqual({ duration: 'P1DT3H' });
  });

  it('edits a time of day', () => {
    const onValue = vi.fn();
    render(<Harness schema={schemaOf('flow.waitUntil')} onValue={onValue} />);
    const time = screen.getByLabelText(/^Time of day/);
    expect(time.getAttribute('type')).toBe('time');
    fireEvent.change(time, { target: { value: '09:30' } });
    fireEvent.click(screen.getByLabelText('mon'));
    fireEvent.click(screen.getByLabelText('fri'));
    expect(last(onValue)).toEqual({ time: '09:30', days: ['mon', 'fri'] });
  });

  it('adds and removes split branches with unique port ids and respects minItems', () => {
    const schema = schemaOf('flow.split');
    const ports = { array: 'branches', idKey: 'port' };
    const initial = initialValue(schema, schema, ports) as Record<string, unknown>;
    expect(initial).toEqual({
      branches: [
        { port: 'a', weight: 1 },
        { port: 'b', weight: 1 },
      ],
    });
    const onValue = vi.fn();
    render(<Harness schema={schema} initial={initial} ports={ports} onValue={onValue} />);
    expect(screen.getByLabelText('Remove Branch 1')).toHaveProperty('disabled', true);
    fireEvent.click(screen.getByRole('button', { name: 'Add branch' }));
    expect(last(onValue).branches).toEqual([
      { port: 'a', weight: 1 },
      { port: 'b', weight: 1 },
      { port: 'c', weight: 1 },
    ]);
    const third = screen.getByRole('group', { name: 'Branch 3' });
    fireEvent.change(within(third).getByLabelText(/^Weight/), { target: { value: '50' } });
    fireEvent.change(within(third).getByLabelText(/^Label/), { target: { value: 'Control' } });
    expect(last(onValue).branches[2]).toEqual({ port: 'c', weight: 50, label: 'Control' });
    fireEvent.click(screen.getByLabelText('Remove Branch 1'));
    expect(last(onValue).branches.map((b: { port: string }) => b.port)).toEqual(['b', 'c']);
    expect(screen.getByLabelText('Remove Branch 1')).toHaveProperty('disabled', true);
  });

  it('edits a record of attribute values, reading numbers and booleans', () => {
    const onValue = vi.fn();
    render(<Harness schema={schemaOf('action.updateContact')} onValue={onValue} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add entry' }));
    fireEvent.change(screen.getByLabelText('Set attributes: Key 1'), { target: { value: 'score' } });
    fireEvent.change(screen.getByLabelText('Set attributes: Value 1'), { target: { value: '42' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add entry' }));
    fireEvent.change(screen.getByLabelText('Set attributes: Key 2'), { target: { value: 'vip' } });
    fireEvent.change(screen.getByLabelText('Set attributes: Value 2'), { target: { value: 'true' } });
    expect(last(onValue).set).toEqual({ score: 42, vip: true });
    fireEvent.click(screen.getByRole('button', { name: 'Add clear attribute' }));
    fireEvent.change(screen.getByLabelText(/^Clear attribute 1/), { target: { value: 'cart' } });
    expect(last(onValue).unset).toEqual(['cart']);
  });

  it('keeps header values as text in a record of strings', () => {
    const onValue = vi.fn();
    render(<Harness schema={schemaOf('action.webhook')} initial={{ url: 'https://x.example' }} onValue={onValue} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add entry' }));
    fireEvent.change(screen.getByLabelText('Headers: Key 1'), { target: { value: 'X-Count' } });
    fireEvent.change(screen.getByLabelText('Headers: Value 1'), { target: { value: '42' } });
    expect(last(onValue).headers).toEqual({ 'X-Count': '42' });
  });

  it('shows problems beside the field they name and marks it invalid', () => {
    render(
      <Harness
        schema={schemaOf('action.sendEmail')}
        problems={[{ path: ['template'], message: 'Template is required' }]}
      />,
    );
    const input = screen.getByLabelText(/^Template/);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const describedBy = input.getAttribute('aria-describedby') ?? '';
    expect(describedBy).not.toBe('');
    expect(document.getElementById(describedBy.split(' ')[0] as string)?.textContent).toBe('Template is required');
  });

  it('renders the condition builder for x-waymark-widget condition, directly or through $ref', () => {
    render(<Harness schema={schemaOf('trigger.event')} initial={{ event: 'cart_abandoned' }} />);
    expect(screen.getByRole('group', { name: 'Only when the event matches' })).toBeTruthy();
    cleanup();
    render(<Harness schema={schemaOf('flow.condition')} />);
    expect(screen.getByRole('group', { name: 'If' })).toBeTruthy();
  });

  it.each([
    ['trigger.event', { event: 'cart_abandoned' }],
    ['flow.waitForEvent', { event: 'order_completed', timeout: 'P1D' }],
  ])('asks %s for event properties in its where filter (x-waymark-scope event)', (type, initial) => {
    const onValue = vi.fn();
    render(<Harness schema={schemaOf(type)} initial={initial} onValue={onValue} />);
    const where = screen.getByRole('group', { name: 'Only when the event matches' });
    expect(within(where).queryByRole('button', { name: 'Add event rule' })).toBeNull();
    fireEvent.click(within(where).getByRole('button', { name: 'Add attribute rule' }));
    const property = within(where).getByLabelText('Event property');
    expect(property.getAttribute('placeholder')).toBe('total');
    expect(within(where).queryByLabelText('Attribute')).toBeNull();
    fireEvent.change(property, { target: { value: 'total' } });
    expect(last(onValue)).toEqual({ ...initial, where: { attribute: 'total', op: 'eq', value: '' } });
    // The rule kinds offered inside the filter are properties and groups, never event counts.
    const kinds = within(where).getByLabelText('Rule type') as HTMLSelectElement;
    expect([...kinds.options].map((o) => o.value)).toEqual(['attribute', 'group']);
    cleanup();
    // A contact condition (flow.condition) still offers event rules and names attributes.
    render(<Harness schema={schemaOf('flow.condition')} />);
    expect(screen.getByRole('button', { name: 'Add event rule' })).toBeTruthy();
  });

  it("asks the journey settings' exit goals for event properties too", () => {
    const root = journeyDefinitionJsonSchema() as JsonSchema;
    const settings = { ...(root.properties?.settings as JsonSchema), $defs: root.$defs ?? {} };
    render(<Harness schema={settings} initial={{ exitOn: [{ event: 'order_completed' }] }} />);
    const where = screen.getByRole('group', { name: 'Only when the event matches' });
    expect(within(where).queryByRole('button', { name: 'Add event rule' })).toBeNull();
    fireEvent.click(within(where).getByRole('button', { name: 'Add attribute rule' }));
    expect(within(where).getByLabelText('Event property')).toBeTruthy();
  });

  it('falls back to a JSON text area for schemas it has no widget for', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: { payload: { anyOf: [{ type: 'string' }, { type: 'number' }], title: 'Payload' } },
    };
    const onValue = vi.fn();
    render(<Harness schema={schema} onValue={onValue} />);
    const area = screen.getByLabelText('Payload');
    act(() => {
      fireEvent.change(area, { target: { value: '{"a": 1' } });
    });
    expect(screen.getByText('Not valid JSON')).toBeTruthy();
    fireEvent.change(area, { target: { value: '12' } });
    expect(last(onValue)).toEqual({ payload: 12 });
  });
});

describe('initialValue', () => {
  it('fills defaults, first examples of durations and required objects, and leaves other required values unset', () => {
    const wait = schemaOf('flow.wait');
    expect(initialValue(wait, wait)).toEqual({ duration: 'PT1H' });
    const email = schemaOf('action.sendEmail');
    expect(initialValue(email, email)).toEqual({});
    const ab = schemaOf('flow.abTest');
    expect(initialValue(ab, ab, { array: 'variants', idKey: 'port' })).toEqual({
      variants: [
        { port: 'a', weight: 1 },
        { port: 'b', weight: 1 },
      ],
    });
  });
});

describe('optional groups', () => {
  it('switches an optional object with required fields on and off as a whole', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        quietHours: {
          type: 'object',
          properties: {
            start: { type: 'string', format: 'time-of-day', examples: ['21:00'] },
            end: { type: 'string', format: 'time-of-day', examples: ['08:00'] },
          },
          required: ['start', 'end'],
        },
      },
    };
    const onValue = vi.fn();
    render(<Harness schema={schema} onValue={onValue} />);
    expect(screen.queryByLabelText(/^Start/)).toBeNull();
    fireEvent.click(screen.getByLabelText('Quiet hours'));
    expect(last(onValue)).toEqual({ quietHours: { start: '21:00', end: '08:00' } });
    fireEvent.change(screen.getByLabelText(/^End/), { target: { value: '07:30' } });
    expect(last(onValue)).toEqual({ quietHours: { start: '21:00', end: '07:30' } });
    fireEvent.click(screen.getByLabelText('Quiet hours'));
    expect(last(onValue)).toEqual({});
  });
});
