import { compileGraph, defaultRegistry, graphToDefinition } from '@waymark/nodes';
import { describe, expect, it } from 'vitest';
import { summarizeConfig } from '../canvas/summary.ts';
import { docOf, graphOf, newNodeId } from './journey-doc.ts';

const cart = {
  schemaVersion: 1,
  id: 'cart',
  name: 'Cart abandonment',
  settings: { timezone: 'Europe/Warsaw' },
  nodes: [
    { id: 'start', type: 'trigger.event', config: { event: 'cart_abandoned' } },
    { id: 'wait1h', type: 'flow.wait', config: { duration: 'PT1H' } },
    { id: 'done', type: 'flow.exit', config: {} },
  ],
  edges: [
    { from: 'start', to: 'wait1h' },
    { from: 'wait1h', to: 'done' },
  ],
};

describe('journey documents', () => {
  it('round-trips a definition and its layout through the canvas document', () => {
    const layout = { nodes: { start: { x: 10, y: 20 }, wait1h: { x: 10, y: 170, label: 'One hour' } } };
    const { doc } = docOf('cart', 'Cart abandonment', cart, layout);
    expect(doc.nodes.find((n) => n.id === 'wait1h')?.data.label).toBe('One hour');
    const back = graphToDefinition(graphOf('cart', doc));
    expect(back.definition.nodes).toEqual(cart.nodes.map((n) => ({ ...n, typeVersion: 1 })));
    expect(back.definition.edges).toEqual(cart.edges);
    expect(back.layout.nodes.start).toEqual({ x: 10, y: 20 });
    expect(compileGraph(graphOf('cart', doc), defaultRegistry()).problems).toEqual([]);
  });

  it('opens a draft whose definition is missing parts', () => {
    const { doc } = docOf('x', 'X', { nodes: 'oops' }, undefined);
    expect(doc.nodes).toEqual([]);
    expect(doc.edges).toEqual([]);
  });

  it('names new steps after their type', () => {
    expect(newNodeId('action.sendEmail', ['sendEmail1'])).toBe('sendEmail2');
    expect(newNodeId('trigger.event', [])).toBe('event1');
  });

  it('summarises configs from the JSON Schema', () => {
    const d = (type: string) =>
      defaultRegistry()
        .describe()
        .find((x) => x.type === type);
    expect(summarizeConfig(d('flow.wait'), { duration: 'PT1H' })).toBe('1 hour');
    expect(summarizeConfig(d('flow.waitForEvent'), { event: 'order_completed', timeout: 'P1D' })).toBe(
      'order_completed · 1 day',
    );
    expect(summarizeConfig(d('flow.condition'), { if: { attribute: 'plan', op: 'eq', value: 'pro' } })).toBe(
      'plan = pro',
    );
    expect(
      summarizeConfig(d('flow.split'), {
        branches: [
          { port: 'a', weight: 1 },
          { port: 'b', weight: 1 },
        ],
      }),
    ).toBe('2 branches');
  });
});
