import { sql } from 'drizzle-orm';
import { schedulerChannel } from '../db/events.ts';
import { asDate, rowsOf } from '../db/rows.ts';
import type { Services } from '../services.ts';
import type { Engine } from './engine.ts';
import { type JourneyCache, journeysChannel } from './journey-cache.ts';

/** The scheduler loop of one process: events first, then due runs; sleeps until notified or the next wake time. */
export function startScheduler(
  services: Services,
  engine: Engine,
  cache: JourneyCache,
  options: { batchSize?: number; maxSleepMs?: number } = {},
) {
  const batchSize = options.batchSize ?? 500;
  const maxSleepMs = options.maxSleepMs ?? 1_000;
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const poke = () => wakeUp?.();
  const unlisten: Promise<() => Promise<void>>[] = [
    services.database.listen(schedulerChannel, poke),
    services.database.listen(journeysChannel, () => cache.invalidate()),
  ];

  const nextWake = async (): Promise<number> => {
    const [row] = rowsOf<{ next: Date | string | null }>(
      await services.db.execute(sql`select min(wake_at) as next from journey_states where wake_at is not null`),
    );
    return row?.next ? asDate(row.next).getTime() : Number.POSITIVE_INFINITY;
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        let worked = true;
        while (worked && !stopped) {
          const e = await engine.processEvents(batchSize);
          const d = await engine.processDue(batchSize);
          worked = e > 0 || d.runs > 0;
        }
        if (stopped) break;
        const sleep = Math.max(0, Math.min(maxSleepMs, (await nextWake()) - Date.now()));
        await new Promise<void>((resolve) => {
          wakeUp = resolve;
          timer = setTimeout(resolve, sleep);
        });
        clearTimeout(timer);
      } catch (err) {
        services.log.error('scheduler batch failed; retrying', { err });
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();

  return {
    poke,
    async stop() {
      stopped = true;
      poke();
      await loop;
      for (const u of unlisten) await (await u)();
    },
  };
}
