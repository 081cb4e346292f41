import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiClient, TemplateSummary } from '../api/client.ts';
import { TemplateInput, TemplateLinkProvider, TemplatesProvider } from './template-input.tsx';
import { TemplateLibrary } from './template-library.tsx';

afterEach(cleanup);

const saved: TemplateSummary[] = [
  { id: 'cart-reminder', name: 'Cart reminder', subject: 'Your cart', updatedAt: '2026-01-01T00:00:00Z' },
  { id: 'welcome', name: 'Welcome', subject: 'Hi', updatedAt: '2026-01-02T00:00:00Z' },
];

function Picker({ initial, link }: { initial: string; link?: boolean }) {
  const [value, setValue] = useState(initial);
  const input = (
    <TemplatesProvider value={saved}>
      <label htmlFor="tpl">Template</label>
      <TemplateInput id="tpl" value={value} onChange={setValue} />
    </TemplatesProvider>
  );
  return link ? <TemplateLinkProvider value={(id) => `#/templates/${id}`}>{input}</TemplateLinkProvider> : input;
}

describe('TemplateInput', () => {
  it('picks a saved template from the list and links to it', () => {
    render(<Picker initial="" link />);
    expect(screen.queryByRole('link')).toBeNull();
    fireEvent.change(screen.getByLabelText('Choose a saved template'), { target: { value: 'welcome' } });
    expect((screen.getByLabelText('Template') as HTMLInputElement).value).toBe('welcome');
    expect(screen.getByText(/Welcome — Hi/)).toBeTruthy();
    expect(screen.getByRole('link', { name: /Open template/ }).getAttribute('href')).toBe('#/templates/welcome');
  });

  it('still takes an id typed by hand, and shows no link where there is nowhere to open it', () => {
    render(<Picker initial="cart-reminder" />);
    expect((screen.getByLabelText('Choose a saved template') as HTMLSelectElement).value).toBe('cart-reminder');
    expect(screen.queryByRole('link')).toBeNull();
    fireEvent.change(screen.getByLabelText('Template'), { target: { value: 'not-yet' } });
    expect((screen.getByLabelText('Choose a saved template') as HTMLSelectElement).value).toBe('');
  });
});

async function settle() {
  for (let i = 0; i < 3; i++) await act(async () => new Promise((r) => setTimeout(r, 5)));
}

describe('TemplateLibrary', () => {
  it('lists, creates with a starter design, and deletes after asking', async () => {
    const api = {
      templates: vi.fn(async () => saved),
      createTemplate: vi.fn(async (input: { name: string }) => ({ ...saved[0], ...input, id: 't_new', mjml: '' })),
      deleteTemplate: vi.fn(async () => {}),
    } as unknown as ApiClient;
    const onOpen = vi.fn();
    const confirm = vi.fn(() => true);
    render(<TemplateLibrary api={api} onOpen={onOpen} confirm={confirm} />);
    await settle();
    expect(screen.getByRole('link', { name: 'Cart reminder' }).getAttribute('href')).toBe('#/templates/cart-reminder');

    fireEvent.change(screen.getByLabelText('Name of the new template'), { target: { value: 'Promo' } });
    fireEvent.click(screen.getByRole('button', { name: /New template/ }));
    await settle();
    expect(api.createTemplate).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'Promo', subject: 'Promo', mjml: expect.stringContaining('<mjml>') }),
    );
    expect(onOpen).toHaveBeenCalledWith('t_new');

    fireEvent.click(screen.getByRole('button', { name: 'Delete Welcome' }));
    await settle();
    expect(confirm).toHaveBeenCalledWith(expect.stringContaining('"Welcome"'));
    expect(api.deleteTemplate).toHaveBeenCalledWith('welcome');
    expect(screen.queryByRole('link', { name: 'Welcome' })).toBeNull();
  });
});
