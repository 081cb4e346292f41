import { describe, expect, it } from 'vitest';
import { cleanMjml } from './clean-mjml.ts';

describe('cleanMjml', () => {
  it('drops data-gjs attributes and generated ids, keeps the rest', () => {
    const dirty =
      '<mj-section id="i8xk" data-gjs-type="mj-section"><mj-text id="ia2b-2" data-gjs-highlightable=\'true\' align="left">Hi {{contact.first_name}}</mj-text><mj-button id="cta" href="https://x.test">Go</mj-button></mj-section>';
    expect(cleanMjml(dirty)).toBe(
      '<mj-section><mj-text align="left">Hi {{contact.first_name}}</mj-text><mj-button id="cta" href="https://x.test">Go</mj-button></mj-section>',
    );
  });
});
