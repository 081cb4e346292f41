import { useEffect, useState } from 'react';
import type { ApiClient } from '../api/client.ts';
import type { JourneyStats } from './analytics.ts';

/** How often the overlay asks for fresh counts while it is on. */
export const statsRefreshMs = 5000;

/** The live version's counters, fetched while `enabled` and again every `refreshMs`; null when off. */
export function useJourneyStats(
  api: ApiClient,
  journeyId: string,
  enabled: boolean,
  refreshMs = statsRefreshMs,
): { stats: JourneyStats | null; error: string | null } {
  const [stats, setStats] = useState<JourneyStats | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!enabled) {
      setStats(null);
      setError(null);
      return;
    }
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      api.stats(journeyId).then(
        (s) => {
          if (!live) return;
          setStats(s);
          setError(null);
        },
        (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
      );
      // Also refreshed when the tab is hidden: cheap, and the numbers are current when it comes back.
      timer = setTimeout(load, refreshMs);
    };
    load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, journeyId, enabled, refreshMs]);
  return { stats, error };
}
