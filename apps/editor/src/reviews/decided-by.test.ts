import { describe, expect, it } from 'vitest';
import { defaultStrings as s } from '../strings.ts';
import { describeDecider } from './decided-by.ts';

describe('describeDecider', () => {
  it("names an editor token's user by name and id, or by id alone", () => {
    expect(
      describeDecider(
        { actor: 'editor:u_42', credential: 'editor', user: { id: 'u_42', name: 'Maria' }, reviewerLabel: null },
        s,
      ),
    ).toEqual({ who: 'Maria (u_42)', label: null });
    expect(
      describeDecider({ actor: 'editor:u_7', credential: 'editor', user: { id: 'u_7' }, reviewerLabel: null }, s),
    ).toEqual({ who: 'u_7', label: null });
  });

  it('says when a token named nobody', () => {
    expect(describeDecider({ actor: 'editor', credential: 'editor', user: null, reviewerLabel: null }, s)).toEqual({
      who: 'An editor (the token names no user)',
      label: null,
    });
  });

  it('names an API key by its prefix and keeps a caller-named reviewer apart, marked as unverified', () => {
    expect(
      describeDecider(
        { actor: 'apiKey:wm_ab12', credential: 'apiKey', user: null, reviewerLabel: 'rita@acme.test' },
        s,
      ),
    ).toEqual({ who: 'API key wm_ab12…', label: 'Reviewer named by the caller, not verified: rita@acme.test' });
  });
});
