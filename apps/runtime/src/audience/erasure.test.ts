import { describe, expect, it } from 'vitest';
import { mentionsAddress } from './erasure.ts';

describe('mentionsAddress', () => {
  it.each([
    ['ann@example.com uses a disposable (throwaway) email domain', true],
    ['the domain of ann@example.com looks like a misspelling', true],
    ['"ann@example.com" is not a valid email address', true],
    ['joann@example.com is a role account', false],
    ['jo.ann@example.com is a role account', false],
    ['ann@example.com.au is a role account', false],
    ['ann@example.community is a role account', false],
    ['ann@example.com. and joann@example.com', true],
    ['joann@example.com and then ann@example.com', true],
  ])('%s → %s', (text, expected) => {
    expect(mentionsAddress(text, 'ann@example.com')).toBe(expected);
  });
});
