import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { defaultRegistry, validateJourney } from '@waymark/nodes';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiProvider } from '../api/api-context.ts';
import { createApiClient } from '../api/client.ts';
import type { StepNode } from '../canvas/editor-state.ts';
import { catalogOf } from '../canvas/registry.ts';
import { SimulationPanel } from './simulation-panel.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const registry = defaultRegistry();
const definition = {
  schemaVersion: 1,
  id: 'j',
  settings: {},
  nodes: [
    { id: 'start', type: 'trigger.event', config: { event: 'signed_up' } },
    { id: 'check', type: 'flow.condition', config: { if: { attribute: 'plan', op: 'eq', value: 'pro' } } },
    { id: 'proExit', type: 'flow.exit', config: {} },
    { id: 'freeExit', type: 'flow.exit', config: {} },
  ],
  edges: [
    { from: 'start', to: 'check' },
    { from: 'check', port: 'yes', to: 'proExit' },
    { from: 'check', port: 'no', to: 'freeExit' },
  ],
};
const prepared = validateJourney(definition, registry);
const nodes: StepNode[] = definition.nodes.map((n, i) => ({
  id: n.id,
  type: 'waymark',
  position: { x: 0, y: i * 100 },
  data: { type: n.type, config: n.config },
}));

/** The runtime's contact search, answered at the HTTP boundary; records the queries it got. */
function contactsApi() {
  const queries: (string | null)[] = [];
  const all = [
    { id: 'ann', email: 'ann@example.com', attributes: { plan: 'pro', city: 'Kraków' } },
    { id: 'bob', email: 'bob@example.com', attributes: { plan: 'free' } },
  ];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      const u = new URL(url, 'http://localhost');
      const q = u.searchParams.get('q');
      queries.push(q);
      const contacts = all.filter((c) => !q || c.email.startsWith(q) || c.id.startsWith(q));
      return new Response(JSON.stringify({ contacts, next: null }), { status: 200 });
    }),
  );
  return queries;
}

async function settle() {
  for (let i = 0; i < 6; i++) await act(async () => new Promise((r) => setTimeout(r, 60)));
}

function renderPanel() {
  const api = createApiClient({ apiUrl: 'http://runtime.test', token: 'tok' });
  return render(
    <ApiProvider value={api}>
      <SimulationPanel
        journey={prepared.ok ? prepared.journey : undefined}
        nodes={nodes}
        edges={[]}
        catalog={catalogOf(registry.describe())}
        nodeTitle={(n) => n.id}
        onHighlight={() => {}}
        onClose={() => {}}
      />
    </ApiProvider>,
  );
}

const visited = () => [...document.querySelectorAll('table.wm-steps tbody tr')].map((r) => r.getAttribute('data-node'));

describe('SimulationPanel test contact', () => {
  it('picks a contact found by search, shows its attributes as keys and values, and simulates with them', async () => {
    const queries = contactsApi();
    renderPanel();
    await settle();
    // The made-up contact starts on the free plan: the condition says no.
    expect((screen.getByLabelText('Attributes: Key 1') as HTMLInputElement).value).toBe('plan');
    fireEvent.click(screen.getByRole('button', { name: 'Run simulation' }));
    expect(visited()).toEqual(['start', 'check', 'freeExit']);

    fireEvent.change(screen.getByLabelText('Find a contact'), { target: { value: 'ann' } });
    await settle();
    expect(queries).toContain('ann');
    const pick = screen.getByLabelText('Pick a contact') as HTMLSelectElement;
    expect([...pick.options].map((o) => o.textContent)).toEqual(['— a made-up contact —', 'ann@example.com']);
    fireEvent.change(pick, { target: { value: 'ann' } });
    const keys = screen.getAllByLabelText(/^Attributes: Key \d/).map((e) => (e as HTMLInputElement).value);
    const values = screen.getAllByLabelText(/^Attributes: Value \d/).map((e) => (e as HTMLInputElement).value);
    expect(Object.fromEntries(keys.map((k, i) => [k, values[i]]))).toEqual({
      email: 'ann@example.com',
      plan: 'pro',
      city: 'Kraków',
    });
    fireEvent.click(screen.getByRole('button', { name: 'Run simulation' }));
    expect(visited()).toEqual(['start', 'check', 'proExit']);

    // Changing a value in the key/value editor changes what the simulation sees.
    const planRow = keys.indexOf('plan');
    fireEvent.change(screen.getByLabelText(`Attributes: Value ${planRow + 1}`), { target: { value: 'free' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run simulation' }));
    expect(visited()).toEqual(['start', 'check', 'freeExit']);
  });

  it('edits the attributes as JSON for power users, refusing JSON that is not an object', async () => {
    contactsApi();
    renderPanel();
    await settle();
    fireEvent.click(screen.getByLabelText('Edit the attributes as JSON'));
    const json = screen.getByLabelText('Attributes (JSON)') as HTMLTextAreaElement;
    expect(JSON.parse(json.value)).toEqual({ plan: 'free' });
    fireEvent.change(json, { target: { value: '{"plan": ' } });
    expect(screen.getByText('Not valid JSON')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Run simulation' }));
    expect(screen.getByText('Test contact: Not valid JSON')).toBeTruthy();
    fireEvent.change(json, { target: { value: '{"plan": "pro", "score": 3}' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run simulation' }));
    expect(visited()).toEqual(['start', 'check', 'proExit']);
    // Back to keys and values: the JSON's entries, numbers kept as numbers.
    fireEvent.click(screen.getByLabelText('Edit the attributes as JSON'));
    const form = screen.getByRole('group', { name: 'Attributes' });
    expect(
      within(form)
        .getAllByRole('textbox')
        .map((e) => (e as HTMLInputElement).value),
    ).toEqual(['plan', 'pro', 'score', '3']);
  });
});
