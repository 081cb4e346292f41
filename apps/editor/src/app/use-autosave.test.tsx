import { act, cleanup, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient } from '../api/client.ts';
import { useAutosave } from './use-autosave.ts';

afterEach(cleanup);

/** The HTTP side of the runtime's draft route: records each PUT and answers when told to. */
function draftServer() {
  const puts: unknown[] = [];
  const pending: (() => void)[] = [];
  const fetch = async (_input: RequestInfo | URL, init?: RequestInit) => {
    puts.push(JSON.parse(String(init?.body)));
    await new Promise<void>((resolve) => pending.push(resolve));
    return new Response(JSON.stringify({ problems: [] }), { headers: { 'content-type': 'application/json' } });
  };
  return { puts, pending, api: createApiClient({ apiUrl: 'http://waymark.test', token: 't', fetch }) };
}

describe('useAutosave', () => {
  it('says a change is unsaved in the very render that shows it, then saves it and says so', async () => {
    const server = draftServer();
    const payload = () => ({ name: 'Welcome', definition: {}, layout: {} }) as never;
    const renders: string[] = [];
    const { result, rerender } = renderHook(
      ({ revision }) => {
        const autosave = useAutosave({
          api: server.api,
          journeyId: 'welcome',
          revision,
          payload,
          enabled: true,
          delayMs: 5,
        });
        renders.push(`${revision}:${autosave.status.state}`);
        return autosave;
      },
      { initialProps: { revision: 0 } },
    );
    expect(result.current.status).toEqual({ state: 'saved' });

    // Every render that shows revision 1 says it is unsaved, the first one included (not only after an effect ran).
    rerender({ revision: 1 });
    expect(renders.filter((r) => r.startsWith('1:'))).toEqual(expect.arrayContaining(['1:dirty']));
    expect(renders).not.toContain('1:saved');

    // The save goes out shortly after; while the server has not answered it is "saving".
    await expect.poll(() => server.puts.length).toBe(1);
    expect(server.puts[0]).toMatchObject({ name: 'Welcome' });
    expect(result.current.status).toEqual({ state: 'saving' });
    await act(async () => {
      for (const answer of server.pending.splice(0)) answer();
      await result.current.flush();
    });
    expect(result.current.status).toEqual({ state: 'saved' });
  });
});
