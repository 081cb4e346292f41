import { describe, expect, it } from 'vitest';
import { edgeCountOf, type JourneyStats, nodeCountsOf, percent } from './analytics.ts';

const stats: JourneyStats = {
  version: 3,
  nodes: {
    start: { entered: 10, left: 10 },
    wait: { entered: 10, left: 6, waiting: 4 },
    check: { entered: 6, left: 6, 'left:yes': 4, 'left:no': 2 },
    mail: { entered: 4, left: 4, 'failed:template_missing': 1, sent: 3, opened: 2, clicked: 1, failed: 1 },
    ab: {
      entered: 20,
      left: 20,
      'left:a': 12,
      'left:b': 8,
      'arm:a:trials': 12,
      'arm:b:trials': 8,
      'arm:a:sent': 10,
      'arm:a:opened': 5,
      'arm:a:successes': 5,
      'arm:b:successes': 2,
    },
  },
};

describe('analytics overlay counts', () => {
  it('reads entered, waiting, done, failed and email counters of a step', () => {
    expect(nodeCountsOf(stats, 'wait')).toEqual({
      entered: 10,
      active: 4,
      completed: 6,
      failed: 0,
      sent: undefined,
      opened: undefined,
      clicked: undefined,
      variants: undefined,
    });
    expect(nodeCountsOf(stats, 'mail')).toMatchObject({ entered: 4, failed: 2, sent: 3, opened: 2, clicked: 1 });
    expect(nodeCountsOf(stats, 'nowhere')).toBeUndefined();
  });

  it('gives each A/B variant its trials, email counts, successes and rate, in port order', () => {
    const counts = nodeCountsOf(stats, 'ab', [
      { id: 'a', label: 'Short subject' },
      { id: 'b', label: 'Long subject' },
    ]);
    expect(counts?.variants).toEqual([
      {
        port: 'a',
        label: 'Short subject',
        trials: 12,
        sent: 10,
        opened: 5,
        clicked: undefined,
        successes: 5,
        rate: 0.5,
      },
      {
        port: 'b',
        label: 'Long subject',
        trials: 8,
        sent: undefined,
        opened: undefined,
        clicked: undefined,
        successes: 2,
        rate: 0.25,
      },
    ]);
    // Without counters of its own, a variant takes the counts of the email only it leads to.
    const mails: JourneyStats = {
      version: 3,
      nodes: { ...stats.nodes, mailB: { entered: 8, sent: 8, opened: 4, clicked: 1 } },
    };
    expect(
      nodeCountsOf(mails, 'ab', [
        { id: 'a', label: 'A', email: 'nowhere' },
        { id: 'b', label: 'B', email: 'mailB' },
      ])?.variants?.map((v) => [v.port, v.sent, v.opened, v.clicked, v.rate]),
    ).toEqual([
      ['a', 10, 5, undefined, 0.5],
      ['b', 8, 4, 1, 0.25],
    ]);
    // A variant removed from the draft but still counted in the live version is shown under its port.
    expect(nodeCountsOf(stats, 'ab', [{ id: 'b', label: 'B' }])?.variants?.map((v) => v.port)).toEqual(['b', 'a']);
    expect(percent(0.256)).toBe('26%');
    expect(percent(undefined)).toBe('–');
  });

  it('counts contacts per connection: named ports directly, next by what left otherwise', () => {
    expect(edgeCountOf(stats, { source: 'check', sourceHandle: 'yes' })).toBe(4);
    expect(edgeCountOf(stats, { source: 'check', sourceHandle: 'no' })).toBe(2);
    expect(edgeCountOf(stats, { source: 'wait', sourceHandle: 'next' })).toBe(6);
    expect(edgeCountOf(stats, { source: 'mail', sourceHandle: null })).toBe(3);
    expect(edgeCountOf(stats, { source: 'ab', sourceHandle: 'c' })).toBe(0);
    expect(edgeCountOf(stats, { source: 'nowhere', sourceHandle: 'next' })).toBeUndefined();
  });
});
