/** A `fetch` like the global one. */
export type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * Wraps `fetch` so that a download that goes quiet fails instead of hanging: the request is aborted
 * when no answer, or no further part of the body, arrives for `idleMs`. A slow but moving download of
 * a large model is never cut off; an unreachable or stalled host is, with a message naming it.
 *
 * @example
 * env.fetch = fetchWithIdleTimeout(30_000);
 */
export function fetchWithIdleTimeout(idleMs: number, inner: Fetch = globalThis.fetch.bind(globalThis)): Fetch {
  return async (input, init = {}) => {
    const controller = new AbortController();
    const host = new URL(String(input)).host;
    const quiet = idleMs >= 1000 ? `${idleMs / 1000} s` : `${idleMs} ms`;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new Error(`no data from ${host} for ${quiet}`)), idleMs);
      timer.unref?.();
    };
    arm();
    let response: Response;
    try {
      response = await inner(input, { ...init, signal: controller.signal });
    } catch (e) {
      clearTimeout(timer);
      throw controller.signal.aborted ? controller.signal.reason : e;
    }
    if (!response.body) {
      clearTimeout(timer);
      return response;
    }
    arm();
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, out) {
          arm();
          out.enqueue(chunk);
        },
        flush() {
          clearTimeout(timer);
        },
      }),
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
