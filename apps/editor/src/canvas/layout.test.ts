import { describe, expect, it } from 'vitest';
import { type LayoutNode, layoutJourney } from './layout.ts';

const card = (id: string, ports: string[], hasInput = true): LayoutNode => ({
  id,
  width: 220,
  height: 80,
  ports,
  hasInput,
});

function overlaps(a: { x: number; y: number }, b: { x: number; y: number }) {
  return Math.abs(a.x - b.x) < 220 && Math.abs(a.y - b.y) < 80;
}

describe('auto-layout (elkjs)', () => {
  it('lays a journey out top to bottom, branches in port order, nothing overlapping', async () => {
    // The steps are listed with the no branch first, so only port order can put yes on the left.
    const nodes = [
      card('start', ['next'], false),
      card('exitNo', []),
      card('check', ['yes', 'no']),
      card('ab', ['a', 'b', 'c']),
      card('mailC', ['next']),
      card('mailB', ['next']),
      card('mailA', ['next']),
      card('done', []),
    ];
    const edges = [
      { source: 'start', port: 'next', target: 'check' },
      { source: 'check', port: 'no', target: 'exitNo' },
      { source: 'check', port: 'yes', target: 'ab' },
      { source: 'ab', port: 'c', target: 'mailC' },
      { source: 'ab', port: 'b', target: 'mailB' },
      { source: 'ab', port: 'a', target: 'mailA' },
      { source: 'mailA', port: 'next', target: 'done' },
      { source: 'mailB', port: 'next', target: 'done' },
      { source: 'mailC', port: 'next', target: 'done' },
    ];
    const at = await layoutJourney(nodes, edges, { x: 100, y: 50 });
    const p = (id: string) => {
      const pos = at.get(id);
      if (!pos) throw new Error(`${id} was not placed`);
      return pos;
    };
    expect([...at.keys()].sort()).toEqual(nodes.map((n) => n.id).sort());
    // Top to bottom along every connection.
    for (const e of edges) expect(p(e.target).y).toBeGreaterThan(p(e.source).y);
    // Yes left of no; variants a, b, c left to right.
    expect(p('ab').x).toBeLessThan(p('exitNo').x);
    expect(p('mailA').x).toBeLessThan(p('mailB').x);
    expect(p('mailB').x).toBeLessThan(p('mailC').x);
    // No two cards overlap, and the top-left corner is where it was asked to be.
    const all = [...at.values()];
    for (let i = 0; i < all.length; i++)
      for (let j = i + 1; j < all.length; j++) expect(overlaps(all[i] as never, all[j] as never)).toBe(false);
    expect(Math.min(...all.map((q) => q.x))).toBe(100);
    expect(Math.min(...all.map((q) => q.y))).toBe(50);
  });

  it('places steps of a loop and unconnected steps too, and nothing for an empty journey', async () => {
    const at = await layoutJourney(
      [card('start', ['next'], false), card('wait', ['next']), card('check', ['yes', 'no']), card('lonely', [])],
      [
        { source: 'start', port: 'next', target: 'wait' },
        { source: 'wait', port: 'next', target: 'check' },
        { source: 'check', port: 'no', target: 'wait' },
      ],
      { x: 0, y: 0 },
    );
    expect(at.size).toBe(4);
    expect((await layoutJourney([], [], { x: 0, y: 0 })).size).toBe(0);
  });
});
