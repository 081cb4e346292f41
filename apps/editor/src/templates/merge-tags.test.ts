import { describe, expect, it } from 'vitest';
import { attributesOf, contactLabel, mergeTag } from './merge-tags.ts';

describe('merge tags', () => {
  it('writes Liquid tags with a quoted fallback', () => {
    expect(mergeTag('first_name', 'there')).toBe('{{contact.first_name | default: "there"}}');
    expect(mergeTag('plan')).toBe('{{contact.plan}}');
    expect(mergeTag('email', '  ')).toBe('{{contact.email}}');
    expect(mergeTag('city', 'your "town"')).toBe('{{contact.city | default: "your \\"town\\""}}');
  });

  it('offers email, the common attributes and those contacts have, once each', () => {
    const contacts = [
      { id: 'a', email: 'a@x.test', attributes: { plan: 'pro', first_name: 'Ada', 'bad key': 1 } },
      { id: 'b', email: null, attributes: { city: 'Oslo', plan: 'free' } },
    ];
    expect(attributesOf(contacts)).toEqual(['email', 'first_name', 'last_name', 'city', 'plan']);
    expect(contactLabel(contacts[0] as never)).toBe('Ada · a@x.test');
    expect(contactLabel(contacts[1] as never)).toBe('b');
  });
});
