import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { defaultRegistry } from '@waymark/nodes';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonSchema } from './json-schema.ts';
import { insertAt, MergeTagAttributesProvider } from './merge-tag-button.tsx';
import { SchemaForm } from './schema-form.tsx';

afterEach(cleanup);

const described = defaultRegistry().describe();
const schemaOf = (type: string) => described.find((d) => d.type === type)?.configSchema as JsonSchema;

function Harness({ type, initial }: { type: string; initial: Record<string, unknown> }) {
  const [value, setValue] = useState(initial);
  return (
    <MergeTagAttributesProvider value={['email', 'first_name', 'last_name', 'plan']}>
      <SchemaForm schema={schemaOf(type)} value={value} onChange={setValue} />
      <output data-testid="value">{JSON.stringify(value)}</output>
    </MergeTagAttributesProvider>
  );
}

const formValue = () => JSON.parse(screen.getByTestId('value').textContent ?? '{}');

describe('merge-tag picker in config forms', () => {
  it('puts the tag in place of the selection', () => {
    expect(insertAt('Hi there', '{{contact.first_name}}', 3, 8)).toBe('Hi {{contact.first_name}}');
    expect(insertAt('Hi', '!', 99, 99)).toBe('Hi!');
  });

  it('inserts a known attribute with a fallback at the cursor of the email subject', () => {
    render(<Harness type="action.sendEmail" initial={{ template: 'welcome', subject: 'Hi , welcome' }} />);
    const subject = screen.getByLabelText(/^Subject \(overrides/) as HTMLInputElement;
    subject.setSelectionRange(3, 3);
    fireEvent.click(screen.getByRole('button', { name: /Insert a merge tag into Subject/ }));
    fireEvent.change(screen.getByLabelText('Attribute'), { target: { value: 'first_name' } });
    fireEvent.change(screen.getByLabelText('Fallback'), { target: { value: 'friend' } });
    fireEvent.click(screen.getByRole('button', { name: 'Insert merge tag' }));
    expect(formValue().subject).toBe('Hi {{contact.first_name | default: "friend"}}, welcome');
    // The picker closes; the template field (no merge tags) has no picker at all.
    expect(screen.queryByRole('button', { name: 'Insert merge tag' })).toBeNull();
    expect(screen.getAllByRole('button', { name: /Insert a merge tag into/ })).toHaveLength(1);
  });

  it('inserts any other attribute by name into a webhook body, refusing a name that is not one', () => {
    render(<Harness type="action.webhook" initial={{ url: 'https://example.test/hook', body: '{"plan": ""}' }} />);
    const body = screen.getByLabelText(/^Body/) as HTMLTextAreaElement;
    body.setSelectionRange(10, 10);
    fireEvent.click(screen.getByRole('button', { name: /Insert a merge tag into Body/ }));
    fireEvent.change(screen.getByLabelText('Attribute'), { target: { value: '' } });
    const other = screen.getByLabelText('Other attribute');
    const insert = screen.getByRole('button', { name: 'Insert merge tag' });
    fireEvent.change(other, { target: { value: 'not a name' } });
    expect((insert as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(other, { target: { value: 'company.size' } });
    fireEvent.click(insert);
    expect(formValue().body).toBe('{"plan": "{{contact.company.size}}"}');
  });
});
