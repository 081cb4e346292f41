import { describe, expect, it } from 'vitest';
import type { JourneyDoc, StepNode } from './editor-state.ts';
import { diffVersions, isUnchanged } from './version-diff.ts';

const node = (id: string, type: string, config: Record<string, unknown> = {}, x = 0): StepNode => ({
  id,
  type: 'waymark',
  position: { x, y: 0 },
  data: { type, typeVersion: 1, config },
});
const edge = (source: string, port: string, target: string) => ({
  id: `${source}:${port}->${target}`,
  source,
  target,
  sourceHandle: port,
});

const live: JourneyDoc = {
  name: 'Cart',
  settings: { timezone: 'Europe/Warsaw' },
  nodes: [
    node('start', 'trigger.event', { event: 'cart_abandoned' }),
    node('wait', 'flow.wait', { duration: 'PT1H' }),
    node('check', 'flow.condition', { if: { attribute: 'plan', op: 'eq', value: 'pro' } }),
    node('coupon', 'action.sendEmail', { template: 'cart-coupon' }),
    node('done', 'flow.exit'),
  ],
  edges: [
    edge('start', 'next', 'wait'),
    edge('wait', 'next', 'check'),
    edge('check', 'yes', 'coupon'),
    edge('check', 'no', 'done'),
    edge('coupon', 'next', 'done'),
  ],
};

describe('diffVersions', () => {
  it('finds nothing when only positions, key order or selection differ', () => {
    const draft: JourneyDoc = {
      ...live,
      nodes: live.nodes.map((n, i) => ({
        ...n,
        selected: i === 0,
        position: { x: 500, y: i * 10 },
        data: { ...n.data, config: Object.fromEntries(Object.entries(n.data.config ?? {}).reverse()) },
      })),
      edges: [...live.edges].reverse(),
    };
    draft.nodes[2] = node('check', 'flow.condition', { if: { value: 'pro', op: 'eq', attribute: 'plan' } });
    const diff = diffVersions(draft, live);
    expect(diff).toEqual({ nodes: [], edges: [], settingsChanged: false });
    expect(isUnchanged(diff)).toBe(true);
  });

  it('names added, removed and changed steps with what changed, and moved connections', () => {
    const draft: JourneyDoc = {
      ...live,
      settings: { timezone: 'Europe/Paris' },
      nodes: [
        node('start', 'trigger.event', { event: 'cart_abandoned' }),
        {
          ...node('wait', 'flow.wait', { duration: 'PT2H' }),
          data: { type: 'flow.wait', typeVersion: 1, config: { duration: 'PT2H' }, label: 'Two hours' },
        },
        {
          ...node('check', 'flow.condition', { if: { attribute: 'plan', op: 'eq', value: 'pro' } }),
          data: {
            type: 'flow.condition',
            typeVersion: 2,
            config: { if: { attribute: 'plan', op: 'eq', value: 'pro' } },
          },
        },
        node('remind', 'action.sendEmail', { template: 'cart-reminder' }),
        node('done', 'flow.exit'),
      ],
      edges: [
        edge('start', 'next', 'wait'),
        edge('wait', 'next', 'check'),
        edge('check', 'yes', 'remind'),
        edge('check', 'no', 'done'),
        edge('remind', 'next', 'done'),
      ],
    };
    const diff = diffVersions(draft, live);
    expect(diff.nodes).toEqual([
      { id: 'wait', kind: 'changed', type: 'flow.wait', fields: ['config', 'label'] },
      { id: 'check', kind: 'changed', type: 'flow.condition', fields: ['typeVersion'] },
      { id: 'remind', kind: 'added', type: 'action.sendEmail' },
      { id: 'coupon', kind: 'removed', type: 'action.sendEmail' },
    ]);
    expect(diff.edges).toEqual([
      { id: 'check:yes->remind', kind: 'added', source: 'check', port: 'yes', target: 'remind' },
      { id: 'remind:next->done', kind: 'added', source: 'remind', port: 'next', target: 'done' },
      { id: 'check:yes->coupon', kind: 'removed', source: 'check', port: 'yes', target: 'coupon' },
      { id: 'coupon:next->done', kind: 'removed', source: 'coupon', port: 'next', target: 'done' },
    ]);
    expect(diff.settingsChanged).toBe(true);
    expect(isUnchanged(diff)).toBe(false);
  });

  it('reports a changed type and a rewired port of the same steps', () => {
    const draft: JourneyDoc = {
      ...live,
      nodes: live.nodes.map((n) => (n.id === 'done' ? node('done', 'flow.goal') : n)),
      edges: live.edges.map((e) => (e.id === 'check:no->done' ? edge('check', 'yes', 'done') : e)),
    };
    const diff = diffVersions(draft, live);
    expect(diff.nodes).toEqual([{ id: 'done', kind: 'changed', type: 'flow.goal', fields: ['type'] }]);
    expect(diff.edges.map((e) => `${e.kind} ${e.id}`)).toEqual(['added check:yes->done', 'removed check:no->done']);
  });
});
