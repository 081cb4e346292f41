import { describe, expect, it } from 'vitest';
import { checkAddress, duplicateKey, editDistance, isDisposableDomain, suggestDomain } from './hygiene.ts';

describe('address hygiene', () => {
  it('rejects bad syntax and accepts ordinary addresses', () => {
    for (const bad of ['', 'plain', 'a@@example.com', 'a@example', '.a@example.com', 'a..b@example.com', 'a b@x.com'])
      expect(checkAddress(bad)).toMatchObject({ valid: false, code: 'invalid_syntax' });
    expect(checkAddress(`${'a'.repeat(65)}@example.com`).valid).toBe(false);
    expect(checkAddress('  Ann.Lee+news@Example.com ')).toEqual({
      valid: true,
      email: 'Ann.Lee+news@Example.com',
      key: 'ann.lee+news@example.com',
      domain: 'example.com',
      flags: [],
    });
  });

  it('normalises case everywhere and Gmail dots and +tags only on Gmail', () => {
    expect(duplicateKey('ANN@Example.COM')).toBe('ann@example.com');
    expect(duplicateKey('a.n.n+promo@gmail.com')).toBe('ann@gmail.com');
    expect(duplicateKey('Ann+x@GoogleMail.com')).toBe('ann@gmail.com');
    expect(duplicateKey('a.n.n+promo@outlook.com')).toBe('a.n.n+promo@outlook.com');
    expect(duplicateKey('a.n.n@gmail.co')).toBe('a.n.n@gmail.co');
  });

  it('flags disposable domains from the maintained list, subdomains included', () => {
    expect(isDisposableDomain('mailinator.com')).toBe(true);
    expect(isDisposableDomain('x.mailinator.com')).toBe(true);
    expect(isDisposableDomain('gmail.com')).toBe(false);
    expect(isDisposableDomain('com')).toBe(false);
    expect(checkAddress('temp@yopmail.com')).toMatchObject({ valid: true, flags: ['disposable'] });
  });

  it('flags role accounts, +tags included, but not people', () => {
    for (const role of [
      'info@acme.com',
      'Admin@acme.com',
      'support+eu@acme.com',
      'noreply@acme.com',
      'no-reply@acme.com',
    ])
      expect(checkAddress(role)).toMatchObject({ valid: true, flags: ['role'] });
    expect(checkAddress('information@acme.com')).toMatchObject({ flags: [] });
    expect(checkAddress('ann@acme.com')).toMatchObject({ flags: [] });
  });

  it('suggests the major domain a typo was meant to be', () => {
    expect(checkAddress('Ann@gmial.com')).toMatchObject({ flags: ['typo'], suggestion: 'Ann@gmail.com' });
    expect(checkAddress('bob@hotmial.com')).toMatchObject({ flags: ['typo'], suggestion: 'bob@hotmail.com' });
    expect(checkAddress('cy@yaho.com')).toMatchObject({ flags: ['typo'], suggestion: 'cy@yahoo.com' });
    expect(suggestDomain('gmail.con')).toBe('gmail.com');
    expect(suggestDomain('hotmal.con')).toBeNull();
    expect(suggestDomain('outlok.com')).toBe('outlook.com');
    for (const real of [
      'gmail.com',
      'ymail.com',
      'mail.com',
      'email.com',
      'example.com',
      'acme.com',
      'msn.com',
      'aol.com',
      'yopmail.com',
    ])
      expect(suggestDomain(real)).toBeNull();
  });

  it('can carry several flags at once', () => {
    expect(checkAddress('info@gmial.com')).toMatchObject({ flags: ['role', 'typo'], suggestion: 'info@gmail.com' });
    expect(checkAddress('admin@mailinator.com')).toMatchObject({ flags: ['disposable', 'role'] });
  });

  it('measures edit distance with transpositions', () => {
    expect(editDistance('gmial', 'gmail')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('abcdef', 'uvwxyz', 1)).toBe(2);
    expect(editDistance('', 'ab')).toBe(2);
  });
});
