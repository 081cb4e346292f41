import { describe, expect, it } from 'vitest';
import { imagesIn } from './image-sources.ts';

describe('imagesIn', () => {
  it('lists image and background addresses once each, in order', () => {
    const mjml = `<mjml><mj-body>
      <mj-section background-url="https://cdn.example/bg.png"><mj-column>
        <mj-image alt="Logo" src="https://cdn.example/logo.png?w=200&amp;h=80" />
        <mj-image src='http://cdn.example/b.gif'></mj-image>
        <mj-image src="https://cdn.example/logo.png?w=200&amp;h=80" />
      </mj-column></mj-section></mj-body></mjml>`;
    expect(imagesIn(mjml)).toEqual([
      'https://cdn.example/logo.png?w=200&h=80',
      'http://cdn.example/b.gif',
      'https://cdn.example/bg.png',
    ]);
  });

  it('leaves out placeholders, merge tags, other schemes and other tags', () => {
    const mjml = `<mj-image src="data:image/svg+xml,%3Csvg%3E" /><mj-image src="{{contact.avatar}}" />
      <mj-image src="https://cdn.example/{{contact.id}}.png" /><mj-image src="javascript:alert(1)" />
      <mj-button src="https://cdn.example/not-an-image.png">x</mj-button><mj-image alt="no source" />`;
    expect(imagesIn(mjml)).toEqual([]);
  });
});
