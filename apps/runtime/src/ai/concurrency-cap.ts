/**
 * At most `max` tasks at a time per key (a workspace): a task over the cap is refused at once,
 * not queued, so one workspace cannot line up work ahead of the journeys and other workspaces.
 */
export class ConcurrencyCap {
  readonly #running = new Map<string, number>();

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive whole number, got ${max}`);
  }

  /** Tasks running for `key` now. */
  running(key: string): number {
    return this.#running.get(key) ?? 0;
  }

  /** Runs `task` when `key` is under the cap and returns its result; undefined (task not run) when over it. */
  async run<T>(key: string, task: () => Promise<T>): Promise<{ value: T } | undefined> {
    const n = this.running(key);
    if (n >= this.max) return undefined;
    this.#running.set(key, n + 1);
    try {
      return { value: await task() };
    } finally {
      const left = this.running(key) - 1;
      if (left > 0) this.#running.set(key, left);
      else this.#running.delete(key);
    }
  }
}
