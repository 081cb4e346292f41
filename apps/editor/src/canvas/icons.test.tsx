import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeIcon } from './icons.tsx';

afterEach(cleanup);

const drawn = (name: string | undefined) => render(<NodeIcon name={name} />).container.innerHTML;

describe('NodeIcon', () => {
  it('draws the icons node packages name, such as the example discount code’s ticket-percent', () => {
    const ticket = drawn('ticket-percent');
    expect(ticket).toContain('lucide-ticket-percent');
    expect(ticket).not.toBe(drawn(undefined));
  });

  it.each(['no-such-icon', 'constructor', 'to-string', '__proto__'])('falls back to the generic box for %s', (name) => {
    expect(drawn(name)).toContain('lucide-box');
  });

  it('draws a package’s own SVG data URI as an image', () => {
    const uri = 'data:image/svg+xml,%3Csvg xmlns="http://www.w3.org/2000/svg"/%3E';
    const { container } = render(<NodeIcon name={uri} />);
    expect(container.querySelector('img')?.getAttribute('src')).toBe(uri);
  });
});
