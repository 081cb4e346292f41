import {
  type DependencyList,
  type Dispatch,
  type SetStateAction,
  useCallback,
  useEffect,
  useRef,
  useState,
} from 'react';
import { asApiError } from '../app/as-api-error.ts';
import type { ApiError } from './client.ts';

/** What {@link useApiData} gives a screen. */
export interface ApiData<T> {
  /** The loaded value; null until the first answer for the current inputs. */
  data: T | null;
  /** Why the latest load failed; cleared when a load starts. */
  error: ApiError | null;
  /** Changes the loaded value in place, e.g. after a mutation the server confirmed. */
  setData: Dispatch<SetStateAction<T | null>>;
  /** Loads again with the same inputs, keeping the value shown until the answer replaces it. */
  reload: () => void;
}

/** Options of {@link useApiData}. */
export interface ApiDataOptions {
  /**
   * Keep showing the previous value while the inputs change (a list being paged or searched) instead of
   * going back to null (a different thing being loaded).
   */
  keepPrevious?: boolean;
}

/**
 * Loads what a screen shows: calls `load` when mounted and whenever `deps` change (as `useEffect` would)
 * or `reload` is called. An answer that arrives after unmount, or after the inputs changed or a reload
 * started, is ignored, so a slow old answer never overwrites a newer one.
 *
 * @example
 * const { data: segments, error } = useApiData(() => api.segments(), [api]);
 */
export function useApiData<T>(
  load: () => Promise<T>,
  deps: DependencyList,
  { keepPrevious = false }: ApiDataOptions = {},
): ApiData<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  // The round the last load ran for: when the effect runs again in the same round, the inputs changed.
  const ran = useRef(round);

  // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's inputs of `load`, as for useEffect
  useEffect(() => {
    let live = true;
    const inputsChanged = ran.current === round;
    ran.current = round;
    if (inputsChanged && !keepPrevious) setData(null);
    setError(null);
    load().then(
      (value) => live && setData(() => value),
      (e: unknown) => live && setError(asApiError(e)),
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);

  return { data, error, setData, reload };
}
