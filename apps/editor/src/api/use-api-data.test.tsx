import { act, cleanup, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, createApiClient, type Segment } from './client.ts';
import { useApiData } from './use-api-data.ts';

afterEach(cleanup);

const segment = (id: string): Segment => ({
  id,
  name: id,
  condition: { attribute: 'plan', op: 'eq', value: id },
  updatedAt: '2025-01-01T00:00:00.000Z',
});

/** The runtime's `GET /v1/segments`, answering each request only when the test says how. */
function segmentsServer() {
  const requests: { url: string; answer: (status: number, body: unknown) => void }[] = [];
  const fetch = (input: RequestInfo | URL) =>
    new Promise<Response>((resolve) =>
      requests.push({
        url: String(input),
        answer: (status, body) =>
          resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })),
      }),
    );
  const api = createApiClient({ apiUrl: 'http://waymark.test', token: 't', fetch });
  /** Answers request `n` and lets the client and React take it in. */
  const answer = (n: number, status: number, body: unknown) =>
    act(async () => {
      requests[n]?.answer(status, body);
      await new Promise((r) => setTimeout(r, 0));
    });
  return { api, requests, answer };
}

describe('useApiData', () => {
  it('is null while loading, then holds what the server answered', async () => {
    const server = segmentsServer();
    const { result } = renderHook(() => useApiData(() => server.api.segments(), []));
    expect(result.current.data).toBeNull();
    expect(result.current.error).toBeNull();
    await expect.poll(() => server.requests.length).toBe(1);
    expect(server.requests[0]?.url).toBe('http://waymark.test/v1/segments');

    await server.answer(0, 200, { segments: [segment('pro')] });
    expect(result.current.data?.map((g) => g.id)).toEqual(['pro']);
    expect(result.current.error).toBeNull();
  });

  it('gives a failure as an ApiError with the server’s status, code and message', async () => {
    const server = segmentsServer();
    const { result } = renderHook(() => useApiData(() => server.api.segments(), []));
    await expect.poll(() => server.requests.length).toBe(1);

    await server.answer(0, 403, { error: { code: 'forbidden', message: 'This token cannot read segments' } });
    expect(result.current.data).toBeNull();
    expect(result.current.error).toBeInstanceOf(ApiError);
    expect(result.current.error).toMatchObject({
      status: 403,
      code: 'forbidden',
      message: 'This token cannot read segments',
    });
  });

  it('turns a failure that is not an ApiError into one', async () => {
    const { result } = renderHook(() => useApiData(() => Promise.reject(new Error('disk on fire')), []));
    await expect.poll(() => result.current.error?.message).toBe('disk on fire');
    expect(result.current.error).toBeInstanceOf(ApiError);
    expect(result.current.error?.code).toBe('internal');
  });

  it('ignores an answer for inputs that have since changed, and starts from null for the new ones', async () => {
    const server = segmentsServer();
    const { result, rerender } = renderHook(
      ({ id }) => useApiData(() => server.api.segments().then((list) => ({ id, list })), [id]),
      { initialProps: { id: 'first' } },
    );
    await server.answer(0, 200, { segments: [segment('a')] });
    expect(result.current.data?.id).toBe('first');

    rerender({ id: 'second' });
    expect(server.requests).toHaveLength(2);
    expect(result.current.data).toBeNull();
    rerender({ id: 'third' });
    expect(server.requests).toHaveLength(3);

    // The newest answer comes first; the older one, arriving late, must not replace it.
    await server.answer(2, 200, { segments: [segment('c')] });
    expect(result.current.data?.id).toBe('third');
    await server.answer(1, 200, { segments: [segment('b')] });
    expect(result.current.data?.id).toBe('third');
    expect(result.current.data?.list.map((g) => g.id)).toEqual(['c']);
  });

  it('with keepPrevious, keeps showing the last value while the new inputs load', async () => {
    const server = segmentsServer();
    const { result, rerender } = renderHook(
      // biome-ignore lint/correctness/useExhaustiveDependencies: a new page is what makes it load again, as on the contacts screen
      ({ page }) => useApiData(() => server.api.segments(), [page], { keepPrevious: true }),
      { initialProps: { page: 1 } },
    );
    await server.answer(0, 200, { segments: [segment('a')] });
    rerender({ page: 2 });
    expect(server.requests).toHaveLength(2);
    expect(result.current.data?.map((g) => g.id)).toEqual(['a']);
    await server.answer(1, 200, { segments: [segment('b')] });
    expect(result.current.data?.map((g) => g.id)).toEqual(['b']);
  });

  it('ignores an answer that arrives after unmount', async () => {
    const server = segmentsServer();
    let renders = 0;
    const { result, unmount } = renderHook(() => {
      renders += 1;
      return useApiData(() => server.api.segments(), []);
    });
    await expect.poll(() => server.requests.length).toBe(1);
    const before = renders;
    unmount();
    await server.answer(0, 200, { segments: [segment('late')] });
    await server.answer(0, 500, {});
    expect(renders).toBe(before);
    expect(result.current.data).toBeNull();
  });

  it('reload fetches again, keeps the value until the answer, clears an error, and drops an older answer', async () => {
    const server = segmentsServer();
    const { result } = renderHook(() => useApiData(() => server.api.segments(), []));
    await server.answer(0, 200, { segments: [segment('a')] });

    act(() => result.current.reload());
    expect(server.requests).toHaveLength(2);
    expect(result.current.data?.map((g) => g.id)).toEqual(['a']);
    await server.answer(1, 503, { error: { code: 'unavailable', message: 'Try again' } });
    expect(result.current.error?.message).toBe('Try again');
    expect(result.current.data?.map((g) => g.id)).toEqual(['a']);

    // Two reloads in a row: the first one's answer, arriving last, is stale.
    act(() => result.current.reload());
    expect(result.current.error).toBeNull();
    act(() => result.current.reload());
    expect(server.requests).toHaveLength(4);
    await server.answer(3, 200, { segments: [segment('new')] });
    await server.answer(2, 200, { segments: [segment('old')] });
    expect(result.current.data?.map((g) => g.id)).toEqual(['new']);
  });

  it('setData changes the value in place, as a screen does after a mutation', async () => {
    const server = segmentsServer();
    const { result } = renderHook(() => useApiData(() => server.api.segments(), []));
    await server.answer(0, 200, { segments: [segment('a'), segment('b')] });
    act(() => result.current.setData((list) => list?.filter((g) => g.id !== 'a') ?? null));
    expect(result.current.data?.map((g) => g.id)).toEqual(['b']);
    expect(server.requests).toHaveLength(1);
  });
});
