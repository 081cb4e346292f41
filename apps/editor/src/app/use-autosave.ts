import { useCallback, useEffect, useRef, useState } from 'react';
import { type ApiClient, ApiError } from '../api/client.ts';

/** Where the draft stands relative to the server. */
export type SaveStatus =
  | { state: 'saved' }
  | { state: 'dirty' }
  | { state: 'saving' }
  | { state: 'error'; message: string };

/** What a save sends: the journey's name, definition and layout. */
export type DraftPayload = Parameters<ApiClient['saveDraft']>[1];

/** Options of {@link useAutosave}. */
export interface AutosaveOptions {
  api: ApiClient;
  journeyId: string;
  /** Counts changes to the document; a higher revision than the saved one is unsaved. */
  revision: number;
  /** Builds what to save from the latest document (called when saving, not on every change). */
  payload: () => DraftPayload;
  enabled: boolean;
  delayMs?: number;
}

/**
 * Saves the draft through `PUT /v1/journeys/:id/draft` shortly after each change, one request at a
 * time, retrying after failures, and once more with `keepalive` when the page is hidden or closed, so
 * a reload loses nothing. `flush` saves now and resolves when the server has everything.
 */
export function useAutosave({ api, journeyId, revision, payload, enabled, delayMs = 600 }: AutosaveOptions) {
  const [status, setStatus] = useState<SaveStatus>({ state: 'saved' });
  const latest = useRef({ revision, payload, api, journeyId, enabled });
  latest.current = { revision, payload, api, journeyId, enabled };
  const saved = useRef(revision);
  const inflight = useRef<Promise<void> | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const save = useCallback(async (): Promise<void> => {
    clearTimeout(timer.current);
    while (inflight.current) await inflight.current;
    const { revision: rev, payload: build, api: client, journeyId: id } = latest.current;
    if (rev <= saved.current) return;
    setStatus({ state: 'saving' });
    const run = (async () => {
      try {
        await client.saveDraft(id, build());
        saved.current = Math.max(saved.current, rev);
        setStatus(latest.current.revision > saved.current ? { state: 'dirty' } : { state: 'saved' });
      } catch (e) {
        const message = e instanceof ApiError ? e.message : String(e);
        setStatus({ state: 'error', message });
        timer.current = setTimeout(() => void save().catch(() => {}), 3000);
        throw e;
      }
    })();
    inflight.current = run.finally(() => {
      inflight.current = null;
    });
    await run;
  }, []);

  useEffect(() => {
    if (!enabled || revision <= saved.current) return;
    setStatus((s) => (s.state === 'error' ? s : { state: 'dirty' }));
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void save().catch(() => {}), delayMs);
  }, [revision, enabled, delayMs, save]);

  useEffect(() => {
    const flushOnHide = () => {
      const { revision: rev, payload: build, api: client, journeyId: id, enabled: on } = latest.current;
      if (!on || rev <= saved.current) return;
      // The page may be gone before a normal request finishes; keepalive lets it complete.
      void client.saveDraft(id, build(), { keepalive: true }).then(
        () => {
          saved.current = Math.max(saved.current, rev);
        },
        () => {},
      );
    };
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') flushOnHide();
    };
    window.addEventListener('pagehide', flushOnHide);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      // Leaving the editor (back to the journey list, host unmounts it) saves what is pending.
      flushOnHide();
      window.removeEventListener('pagehide', flushOnHide);
      document.removeEventListener('visibilitychange', onVisibility);
      clearTimeout(timer.current);
    };
  }, []);

  /** Forgets unsaved changes up to `rev` (after loading a document). */
  const reset = useCallback((rev: number) => {
    saved.current = rev;
    setStatus({ state: 'saved' });
  }, []);

  // A change is unsaved from the render that shows it, not from the effect after it: otherwise the
  // page says "All changes saved" for a frame after every edit.
  const shown: SaveStatus =
    enabled && revision > saved.current && status.state === 'saved' ? { state: 'dirty' } : status;
  return { status: shown, flush: save, reset };
}
