/**
 * Group commit for small writes: requests that arrive while a write is in flight are written
 * together in the next one, so a burst of single-event requests costs one statement and one commit
 * (one WAL flush) per group instead of one per request. A request that finds nothing in flight is
 * written at once — an idle server adds no delay. Each request still gets exactly its own results,
 * in its own order, or its own error: when a group's write fails, each request of the group is
 * written again on its own, so one bad request cannot fail the others.
 */
export interface GroupCommit<I, O> {
  /** Writes `items` (in a group with whatever else is waiting under `key`); resolves with their results, in order. */
  submit(key: string, items: readonly I[]): Promise<O[]>;
  /** Groups written so far and requests they carried (for tests and benchmarks). */
  readonly stats: { groups: number; requests: number };
}

interface Waiter<I, O> {
  items: readonly I[];
  resolve(results: O[]): void;
  reject(err: unknown): void;
}

interface Lane<I, O> {
  waiting: Waiter<I, O>[];
  inFlight: number;
}

export interface GroupCommitOptions {
  /** Most items in one write; a request larger than this is written alone. Default 5,000. */
  maxItems?: number;
  /** Writes in flight at once per key. Default 2 (one being committed while the next is sent). */
  maxInFlight?: number;
}

/**
 * @param write writes one group's items under `key` and returns exactly one result per item, in order.
 *
 * @example
 * const events = groupCommit((workspaceId, list: EventInput[]) => insertAll(db, workspaceId, list));
 * const ids = await events.submit(workspaceId, [event]);
 */
export function groupCommit<I, O>(
  write: (key: string, items: I[]) => Promise<O[]>,
  options: GroupCommitOptions = {},
): GroupCommit<I, O> {
  const maxItems = options.maxItems ?? 5_000;
  const maxInFlight = options.maxInFlight ?? 2;
  const lanes = new Map<string, Lane<I, O>>();
  const stats = { groups: 0, requests: 0 };

  async function writeAlone(key: string, waiter: Waiter<I, O>): Promise<void> {
    try {
      waiter.resolve(checked(await write(key, [...waiter.items]), waiter.items.length));
    } catch (err) {
      waiter.reject(err);
    }
  }

  async function writeGroup(key: string, group: Waiter<I, O>[]): Promise<void> {
    stats.groups++;
    stats.requests += group.length;
    if (group.length === 1) return writeAlone(key, group[0] as Waiter<I, O>);
    let results: O[];
    try {
      results = checked(
        await write(
          key,
          group.flatMap((w) => w.items),
        ),
        group.reduce((n, w) => n + w.items.length, 0),
      );
    } catch {
      // Nothing of the group was written (one statement or one transaction): each request again, on
      // its own, so the error reaches only the request that caused it.
      for (const w of group) await writeAlone(key, w);
      return;
    }
    let at = 0;
    for (const w of group) {
      w.resolve(results.slice(at, at + w.items.length));
      at += w.items.length;
    }
  }

  function pump(key: string, lane: Lane<I, O>): void {
    while (lane.inFlight < maxInFlight && lane.waiting.length > 0) {
      const group: Waiter<I, O>[] = [];
      let n = 0;
      while (lane.waiting.length > 0) {
        const next = lane.waiting[0] as Waiter<I, O>;
        if (group.length > 0 && n + next.items.length > maxItems) break;
        group.push(next);
        n += next.items.length;
        lane.waiting.shift();
      }
      lane.inFlight++;
      void writeGroup(key, group).finally(() => {
        lane.inFlight--;
        if (lane.waiting.length > 0) pump(key, lane);
        else if (lane.inFlight === 0) lanes.delete(key);
      });
    }
  }

  return {
    stats,
    submit(key, items) {
      return new Promise<O[]>((resolve, reject) => {
        let lane = lanes.get(key);
        if (!lane) {
          lane = { waiting: [], inFlight: 0 };
          lanes.set(key, lane);
        }
        lane.waiting.push({ items, resolve, reject });
        pump(key, lane);
      });
    },
  };
}

function checked<O>(results: O[], expected: number): O[] {
  if (results.length !== expected)
    throw new Error(`group commit: the write returned ${results.length} results for ${expected} items`);
  return results;
}
