import { journeysChannel } from '../scheduler/journey-cache.ts';
import type { Services } from '../services.ts';
import { fireDueDates, processDueRechecks } from './due.ts';
import { audienceChannel, invalidateFeatures } from './features.ts';
import { runScanStep } from './scans.ts';

/**
 * The live audience of one process: it drops cached segments and journeys when any process changes
 * them and, with `workers`, a loop that runs due segment re-evaluations, due date-trigger enrolments
 * and background passes in batches. Due times are read against `services.clock`, so the loop looks
 * every `pollMs` rather than sleeping until a computed instant (a test clock may jump).
 */
export function startAudience(services: Services, options: { workers: boolean; pollMs?: number; batchSize?: number }) {
  const pollMs = options.pollMs ?? 1_000;
  const batchSize = options.batchSize ?? 500;
  const forget = () => invalidateFeatures(services);
  const unlisten = [
    services.database.listen(audienceChannel, forget),
    services.database.listen(journeysChannel, forget),
  ];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wakeUp: (() => void) | undefined;
  const loop = options.workers
    ? (async () => {
        while (!stopped) {
          try {
            let busy = true;
            while (busy && !stopped) {
              const rechecked = await processDueRechecks(services, batchSize);
              const dated = await fireDueDates(services, batchSize);
              const scanned = await runScanStep(services, batchSize);
              if (rechecked + dated > 0) services.wake.scheduler();
              busy = rechecked === batchSize || dated === batchSize || scanned > 0;
            }
          } catch (err) {
            services.log.error('audience batch failed; retrying', { err });
          }
          if (stopped) break;
          await new Promise<void>((resolve) => {
            wakeUp = resolve;
            timer = setTimeout(resolve, pollMs);
          });
          clearTimeout(timer);
        }
      })()
    : Promise.resolve();
  return {
    /** Looks for due work now instead of at the next poll. */
    poke: () => wakeUp?.(),
    async stop() {
      stopped = true;
      wakeUp?.();
      await loop;
      for (const u of unlisten) await (await u)();
    },
  };
}
