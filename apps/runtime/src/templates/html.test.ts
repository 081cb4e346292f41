import { describe, expect, it } from 'vitest';
import { decodeEntities, escapeHtml, insertAtHeadStart, insertBeforeBodyEnd, rewriteLinks } from './html.ts';

describe('rewriteLinks', () => {
  it('finds hrefs in any quoting style and passes the decoded URL', () => {
    const html = `<a href="https://a.test/?x=1&amp;y=2">1</a><a class='b' href='https://b.test/'>2</a><a href=https://c.test/>3</a><a title="a>b" href="https://d.test/">4</a><a name="top">5</a>`;
    const seen: string[] = [];
    const out = rewriteLinks(html, (url, i) => {
      seen.push(url);
      return `https://t.test/${i}?u=${encodeURIComponent(url)}`;
    });
    expect(seen).toEqual(['https://a.test/?x=1&y=2', 'https://b.test/', 'https://c.test/', 'https://d.test/']);
    expect(out).toContain(`<a href="https://t.test/0?u=${encodeURIComponent('https://a.test/?x=1&y=2')}">1</a>`);
    expect(out).toContain(`<a class='b' href="https://t.test/1?u=`);
    expect(out).toContain('<a title="a>b" href="https://t.test/3?');
    expect(out).toContain('<a name="top">5</a>');
  });

  it('keeps links the callback declines or that are marked data-wm-notrack, and numbers only rewritten ones', () => {
    const html =
      '<a href="mailto:x@y.z">m</a><a href="https://a.test" data-wm-notrack>a</a><a href="https://b.test">b</a>';
    const out = rewriteLinks(html, (url, i) => (url.startsWith('https:') ? `T${i}` : undefined));
    expect(out).toBe('<a href="mailto:x@y.z">m</a><a href="https://a.test" data-wm-notrack>a</a><a href="T0">b</a>');
  });
});

describe('html helpers', () => {
  it('escapes and decodes', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(decodeEntities('a&amp;b&#39;&#x27;&quot;&lt;&unknown;')).toBe(`a&b''"<&unknown;`);
  });

  it('inserts before the body end and at the head start', () => {
    expect(insertBeforeBodyEnd('<body>x</body></html>', '!')).toBe('<body>x!</body></html>');
    expect(insertBeforeBodyEnd('x', '!')).toBe('x!');
    expect(insertAtHeadStart('<html><head lang="en"><title>', '!')).toBe('<html><head lang="en">!<title>');
    expect(insertAtHeadStart('<html lang="en"><body>', '!')).toBe('<html lang="en"><head>!</head><body>');
  });
});
