import { checkConfig, runNode } from '@waymark/nodes/testing';
import { describe, expect, it } from 'vitest';
import { codeAlphabet, discountCode } from './discount-code.ts';

describe('acme.discountCode config', () => {
  it.each([{}, { attribute: 'coupon', prefix: 'SPRING-', length: 6 }, { keepExisting: false, length: 16 }])(
    'accepts %j',
    (config) => {
      expect(checkConfig(discountCode, config)).toEqual([]);
    },
  );

  it.each([
    { name: 'an attribute with a dot', config: { attribute: 'a.b' }, path: ['attribute'] },
    { name: 'a lower-case prefix', config: { prefix: 'spring' }, path: ['prefix'] },
    { name: 'a prefix over 12 characters', config: { prefix: 'ABCDEFGHIJKLM' }, path: ['prefix'] },
    { name: 'three characters', config: { length: 3 }, path: ['length'] },
    { name: 'a fractional length', config: { length: 6.5 }, path: ['length'] },
  ])('rejects $name', ({ config, path }) => {
    expect(checkConfig(discountCode, config)).toContainEqual(expect.objectContaining({ code: 'invalid_config', path }));
  });
});

describe('acme.discountCode', () => {
  it('stores a code of the configured shape on the contact and leaves through next', () => {
    const r = runNode(discountCode, { config: { prefix: 'SPRING-', length: 10 }, contact: { id: 'ann' } });
    const code = r.contact.attributes.discount_code as string;
    expect(r.port).toBe('next');
    expect(code).toMatch(new RegExp(`^SPRING-[${codeAlphabet}]{10}$`));
    expect(r.effects).toEqual([{ kind: 'updateContact', set: { discount_code: code } }]);
    expect(r.output).toEqual({ code, reused: false });
  });

  it('gives the same contact the same code on every run of the node, and another contact another', () => {
    const ann = runNode(discountCode, { contact: { id: 'ann' } }).output;
    expect(runNode(discountCode, { contact: { id: 'ann' } }).output).toEqual(ann);
    expect(runNode(discountCode, { contact: { id: 'bob' } }).output).not.toEqual(ann);
    // The draw is per node too: a second discount node in the journey gives a different code.
    expect(runNode(discountCode, { contact: { id: 'ann' }, nodeId: 'second' }).output).not.toEqual(ann);
  });

  it('keeps a code the contact already has, unless told not to', () => {
    const contact = { id: 'ann', attributes: { coupon: 'OLD123' } };
    const kept = runNode(discountCode, { config: { attribute: 'coupon' }, contact });
    expect(kept).toMatchObject({ port: 'next', effects: [], output: { code: 'OLD123', reused: true } });
    const fresh = runNode(discountCode, { config: { attribute: 'coupon', keepExisting: false }, contact });
    expect(fresh.contact.attributes.coupon).not.toBe('OLD123');
  });

  it('spreads codes over the whole alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++)
      for (const ch of (runNode(discountCode, { contact: { id: `c${i}` } }).output as { code: string }).code)
        seen.add(ch);
    expect([...seen].sort().join('')).toBe([...codeAlphabet].sort().join(''));
  });
});
