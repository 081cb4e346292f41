import { describe, expect, it } from 'vitest';
import { groupCommit } from './group-commit.ts';

/** A write that records each group it was given and completes when the test says so. */
function controlledWrite(fail?: (items: number[]) => boolean) {
  const groups: { key: string; items: number[] }[] = [];
  const pending: (() => void)[] = [];
  const write = (key: string, items: number[]) => {
    groups.push({ key, items });
    return new Promise<string[]>((resolve, reject) => {
      pending.push(() => {
        if (fail?.(items)) reject(new Error(`bad item in ${items.join(',')}`));
        else resolve(items.map((i) => `${key}:${i}`));
      });
    });
  };
  /** Completes every write started so far, then lets the follow-up writes start. */
  const finish = async () => {
    for (const done of pending.splice(0)) done();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { groups, write, finish };
}

describe('groupCommit', () => {
  it('writes a request at once when nothing is in flight, and groups the requests that arrive meanwhile', async () => {
    const w = controlledWrite();
    const gc = groupCommit(w.write, { maxInFlight: 1 });
    const first = gc.submit('ws', [1]);
    expect(w.groups).toEqual([{ key: 'ws', items: [1] }]);
    const rest = [gc.submit('ws', [2, 3]), gc.submit('ws', [4]), gc.submit('ws', [5, 6, 7])];
    expect(w.groups).toHaveLength(1);
    await w.finish();
    expect(await first).toEqual(['ws:1']);
    expect(w.groups[1]).toEqual({ key: 'ws', items: [2, 3, 4, 5, 6, 7] });
    await w.finish();
    expect(await Promise.all(rest)).toEqual([['ws:2', 'ws:3'], ['ws:4'], ['ws:5', 'ws:6', 'ws:7']]);
    expect(gc.stats).toEqual({ groups: 2, requests: 4 });
  });

  it('keeps keys apart and allows maxInFlight writes at once per key', async () => {
    const w = controlledWrite();
    const gc = groupCommit(w.write, { maxInFlight: 2 });
    const all = [gc.submit('a', [1]), gc.submit('a', [2]), gc.submit('a', [3]), gc.submit('b', [4])];
    expect(w.groups).toEqual([
      { key: 'a', items: [1] },
      { key: 'a', items: [2] },
      { key: 'b', items: [4] },
    ]);
    await w.finish();
    await w.finish();
    expect(await Promise.all(all)).toEqual([['a:1'], ['a:2'], ['a:3'], ['b:4']]);
  });

  it('never puts more than maxItems in a group, nor splits a request', async () => {
    const w = controlledWrite();
    const gc = groupCommit(w.write, { maxInFlight: 1, maxItems: 3 });
    const all = [gc.submit('k', [0]), gc.submit('k', [1, 2]), gc.submit('k', [3]), gc.submit('k', [4, 5, 6, 7])];
    for (let i = 0; i < 4; i++) await w.finish();
    expect(w.groups.map((g) => g.items)).toEqual([[0], [1, 2, 3], [4, 5, 6, 7]]);
    expect((await Promise.all(all)).flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `k:${i}`));
  });

  it('gives a failed group’s error only to the request that caused it', async () => {
    const w = controlledWrite((items) => items.includes(13));
    const gc = groupCommit(w.write, { maxInFlight: 1 });
    const first = gc.submit('k', [1]);
    const good = gc.submit('k', [2]);
    const bad = gc.submit('k', [13]);
    const alsoGood = gc.submit('k', [3, 4]);
    const outcomes = Promise.allSettled([first, good, bad, alsoGood]);
    for (let i = 0; i < 6; i++) await w.finish();
    const [a, b, c, d] = await outcomes;
    expect(a).toEqual({ status: 'fulfilled', value: ['k:1'] });
    expect(b).toEqual({ status: 'fulfilled', value: ['k:2'] });
    expect(c.status).toBe('rejected');
    expect((c as PromiseRejectedResult).reason.message).toBe('bad item in 13');
    expect(d).toEqual({ status: 'fulfilled', value: ['k:3', 'k:4'] });
    // The group [2, 13, 3, 4] failed as a whole and was written again request by request.
    expect(w.groups.map((g) => g.items)).toEqual([[1], [2, 13, 3, 4], [2], [13], [3, 4]]);
  });

  it('rejects a write that returns the wrong number of results instead of misassigning them', async () => {
    const gc = groupCommit(async (_key: string, items: number[]) => items.slice(1));
    await expect(gc.submit('k', [1, 2])).rejects.toThrow(/returned 1 results for 2 items/);
  });
});
