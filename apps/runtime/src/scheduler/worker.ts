import { sql } from 'drizzle-orm';
import { schedulerChannel } from '../db/events.ts';
import { asDate, rowsOf } from '../db/rows.ts';
import { listenToOthers, type Services } from '../services.ts';
import type { Engine } from './engine.ts';
import { type JourneyCache, journeysChannel } from './journey-cache.ts';

/** The scheduler loop of one process: events first, then due runs; sleeps until notified or the next wake time. */
export function startScheduler(
  services: Services,
  engine: Engine,
  cache: JourneyCache,
  options: { batchSize?: number; maxSleepMs?: number; dueRecheckMs?: number } = {},
) {
  const batchSize = options.batchSize ?? 500;
  const maxSleepMs = options.maxSleepMs ?? 1_000;
  const dueRecheckMs = options.dueRecheckMs ?? 200;
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  // A poke while a batch runs is remembered: the events it announces may have been committed after
  // that batch's claim, so the loop looks again before it sleeps.
  let poked = false;
  const poke = () => {
    poked = true;
    wakeUp?.();
  };
  const unlisten: Promise<() => Promise<void>>[] = [
    listenToOthers(services, schedulerChannel, poke),
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
        // After a sleep (a timer, a NOTIFY) look for due runs at once; while events keep coming, look
        // again only every `dueRecheckMs` or when a run this process wrote comes due: a look that finds
        // nothing costs three round trips, which at a few hundred events per second were most of the
        // scheduler's queries. Runs made due by other processes wait at most `dueRecheckMs` (those
        // processes take them too).
        let dueCheckAt = 0;
        while (worked && !stopped) {
          poked = false;
          const e = await engine.processEvents(batchSize);
          let runs = 0;
          if (Date.now() >= Math.min(dueCheckAt, engine.earliestWakeWritten)) {
            engine.earliestWakeWritten = Number.POSITIVE_INFINITY;
            runs = (await engine.processDue(batchSize)).runs;
            dueCheckAt = runs < batchSize ? Date.now() + dueRecheckMs : 0;
          }
          worked = e > 0 || runs > 0 || poked;
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
