import { act, cleanup, render } from '@testing-library/react';
import { defaultRegistry } from '@waymark/nodes';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JourneyEditor } from './journey-editor.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function fakeApi(routes: Record<string, unknown>) {
  const calls: { url: string; auth: string | null }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      const path = new URL(url, 'http://localhost').pathname;
      calls.push({ url, auth: new Headers(init?.headers).get('authorization') });
      const body = routes[`${init?.method ?? 'GET'} ${path}`];
      return body === undefined
        ? new Response(JSON.stringify({ error: { code: 'not_found', message: 'no' } }), { status: 404 })
        : new Response(JSON.stringify(body), { status: 200 });
    }),
  );
  return calls;
}

async function settle() {
  for (let i = 0; i < 5; i++) await act(async () => new Promise((r) => setTimeout(r, 10)));
}

describe('JourneyEditor', () => {
  it('renders inside a shadow root with its own styles, and calls the API with the editor token', async () => {
    const calls = fakeApi({
      'GET /v1/journeys': {
        journeys: [
          {
            id: 'cart',
            name: 'Cart abandonment',
            status: 'draft',
            liveVersion: null,
            updatedAt: '2026-01-01T00:00:00Z',
          },
        ],
      },
    });
    const { container } = render(
      <JourneyEditor apiUrl="https://waymark.example.com/" token="tok" strings={{ journeys: 'Parcours' }} />,
    );
    await settle();
    const host = container.firstElementChild as HTMLElement;
    const shadow = host.shadowRoot as ShadowRoot;
    expect(shadow).toBeTruthy();
    expect(shadow.querySelector('style')?.textContent).toContain('.wm-root');
    expect(shadow.querySelector('h1')?.textContent).toBe('Parcours');
    expect(shadow.textContent).toContain('Cart abandonment');
    // Nothing the editor renders is outside its shadow root.
    expect(container.querySelector('.wm-root')).toBeNull();
    expect(calls).toEqual([{ url: 'https://waymark.example.com/v1/journeys', auth: 'Bearer tok' }]);
  });

  it('opens a journey with its node types and shows its problems', async () => {
    fakeApi({
      'GET /v1/node-types': { nodeTypes: defaultRegistry().describe() },
      'GET /v1/journeys/cart': {
        id: 'cart',
        name: 'Cart abandonment',
        status: 'draft',
        definition: { schemaVersion: 1, id: 'cart', nodes: [], edges: [], settings: {} },
        layout: {},
        liveVersion: null,
        updatedAt: '2026-01-01T00:00:00Z',
      },
      'GET /v1/workspace': { id: 'ws', name: 'W', access: 'edit', journeyId: 'cart' },
      'GET /v1/templates': { templates: [] },
    });
    const { container } = render(<JourneyEditor apiUrl="" token="tok" journeyId="cart" theme="dark" />);
    await settle();
    const shadow = (container.firstElementChild as HTMLElement).shadowRoot as ShadowRoot;
    expect(shadow.querySelector('.wm-root')?.getAttribute('data-theme')).toBe('dark');
    expect(shadow.querySelector<HTMLInputElement>('.wm-journey-name')?.value).toBe('Cart abandonment');
    expect(shadow.querySelectorAll('.wm-palette-item').length).toBe(defaultRegistry().describe().length);
    expect(shadow.querySelector('.wm-problems')?.textContent).toContain('the journey is empty: add a trigger');
    const publish = [...shadow.querySelectorAll('button')].find((b) => b.textContent?.includes('Publish'));
    expect(publish?.disabled).toBe(true);
  });
});
