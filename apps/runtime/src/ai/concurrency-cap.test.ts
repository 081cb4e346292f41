import { describe, expect, it } from 'vitest';
import { ConcurrencyCap } from './concurrency-cap.ts';

/** A task that finishes when the test says so. */
function gate() {
  let open = () => {};
  const done = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, task: () => done.then(() => 'done') };
}

describe('ConcurrencyCap', () => {
  it('refuses a task over the cap for the same key while others run', async () => {
    const cap = new ConcurrencyCap(2);
    const a = gate();
    const b = gate();
    const first = cap.run('ws1', a.task);
    const second = cap.run('ws1', b.task);
    expect(cap.running('ws1')).toBe(2);
    let ran = false;
    const third = await cap.run('ws1', async () => {
      ran = true;
      return 'never';
    });
    expect(third).toBeUndefined();
    expect(ran).toBe(false);
    // Another workspace is not affected.
    expect(await cap.run('ws2', async () => 'other')).toEqual({ value: 'other' });
    a.open();
    expect(await first).toEqual({ value: 'done' });
    expect(cap.running('ws1')).toBe(1);
    expect(await cap.run('ws1', async () => 'again')).toEqual({ value: 'again' });
    b.open();
    await second;
    expect(cap.running('ws1')).toBe(0);
  });

  it('frees the slot when a task throws', async () => {
    const cap = new ConcurrencyCap(1);
    await expect(
      cap.run('ws', async () => {
        throw new Error('model failed');
      }),
    ).rejects.toThrow('model failed');
    expect(cap.running('ws')).toBe(0);
    expect(await cap.run('ws', async () => 1)).toEqual({ value: 1 });
  });

  it('rejects a cap that is not a positive whole number', () => {
    expect(() => new ConcurrencyCap(0)).toThrow(RangeError);
  });
});
