import { useCallback, useEffect, useRef, useState } from 'react';

/** What {@link useLeaveGuard} gives the page: the leave waiting for an answer, and the answers. */
export interface LeaveGuard {
  /** True while the question "leave without saving?" is open. */
  asking: boolean;
  /** Leaves through `go` at once when nothing is unsaved, otherwise asks first. */
  request(go: () => void): void;
  /** Leaves as asked. */
  leave(): void;
  /** Stays on the page. */
  stay(): void;
}

/**
 * While `dirty`, asks before the page is left: the browser's own prompt on reload, close or another
 * address, and the page's question (`asking`) for the app's own routes (a change of the URL fragment,
 * the back button included) and for in-app links that call `request`.
 */
export function useLeaveGuard(dirty: boolean): LeaveGuard {
  const [pending, setPending] = useState<(() => void) | null>(null);
  // Once the person chose to leave, the navigation that follows must not be stopped again.
  const leaving = useRef(false);
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;

  useEffect(() => {
    if (!dirty) return;
    const beforeUnload = (e: BeforeUnloadEvent) => {
      if (leaving.current) return;
      e.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      e.returnValue = '';
    };
    // A change of the fragment (a link, the back button, a typed address) fires popstate before the
    // app's router hears hashchange: the address is put back first, so the router stays, and the
    // question decides.
    const here = window.location.href;
    const popState = () => {
      const to = window.location.href;
      if (leaving.current || to === here) return;
      window.history.replaceState(window.history.state, '', here);
      setPending(() => () => {
        window.location.href = to;
      });
    };
    window.addEventListener('beforeunload', beforeUnload);
    window.addEventListener('popstate', popState);
    return () => {
      window.removeEventListener('beforeunload', beforeUnload);
      window.removeEventListener('popstate', popState);
    };
  }, [dirty]);

  const request = useCallback((go: () => void) => {
    if (dirtyRef.current) setPending(() => go);
    else go();
  }, []);
  const leave = useCallback(() => {
    const go = pending;
    setPending(null);
    if (!go) return;
    leaving.current = true;
    go();
  }, [pending]);
  const stay = useCallback(() => setPending(null), []);
  return { asking: pending !== null, request, leave, stay };
}
