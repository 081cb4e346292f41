import { describe, expect, it } from 'vitest';
import { escapeSlack, fillMergeTags, mergeTagProblems } from './merge-tags.ts';

const ann = {
  id: 'ann',
  email: 'ann@example.test',
  attributes: { first_name: 'Ann', plan: { name: 'Pro' }, empty: '' },
};

describe('fillMergeTags', () => {
  it.each([
    ['Hi {{ contact.first_name }}', 'Hi Ann'],
    ['{{contact.email}} ({{ contact.id }})', 'ann@example.test (ann)'],
    ['Plan: {{ contact.plan.name }}', 'Plan: Pro'],
    ['Hi {{ contact.nickname | default: "there" }}', 'Hi there'],
    ['Hi {{ contact.empty | default: "there" }}', 'Hi there'],
    ['Hi {{ contact.nickname }}!', 'Hi !'],
    ['Raw {{ weird }} stays', 'Raw {{ weird }} stays'],
  ])('fills %j as %j', (template, expected) => {
    expect(fillMergeTags(template, ann)).toBe(expected);
  });

  it('escapes values so that attributes cannot mention or link, but leaves the template alone', () => {
    const evil = { id: 'x', email: null, attributes: { first_name: '<!channel> & <https://evil.test|click>' } };
    expect(fillMergeTags('<!here> {{ contact.first_name }}', evil)).toBe(
      '<!here> &lt;!channel&gt; &amp; &lt;https://evil.test|click&gt;',
    );
    expect(escapeSlack('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });

  it('never reads inherited properties', () => {
    expect(fillMergeTags('{{ contact.constructor }}|{{ contact.toString }}', ann)).toBe('|');
  });
});

describe('mergeTagProblems', () => {
  it('accepts well-formed tags and names each tag it cannot fill', () => {
    expect(mergeTagProblems('Hi {{ contact.first_name | default: "you" }} {{contact.email}}')).toEqual([]);
    expect(
      mergeTagProblems('{{ first_name }} and {{ contact. }} and {{ contact.a | upcase }}').map((p) => p.tag),
    ).toEqual(['{{ first_name }}', '{{ contact. }}', '{{ contact.a | upcase }}']);
  });
});
