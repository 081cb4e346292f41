import { describe, expect, it } from 'vitest';
import {
  bodyFragment,
  decodeEntities,
  escapeHtml,
  insertAtHeadStart,
  insertBeforeBodyEnd,
  rewriteLinks,
} from './html.ts';

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

describe('bodyFragment', () => {
  it("takes the body's content and leaves out what acts on the whole document", () => {
    const html = `<!doctype html><html><head><title>T</title><style>p { color: red }</style></head>
<body style="margin:0"><div class="a"><p>Hi <b>there</b></p><img src="x.png"><br/></div><script>alert(1)</script><STYLE>div{}</STYLE><meta charset="x"></body></html>`;
    expect(bodyFragment(html)).toBe('<div class="a"><p>Hi <b>there</b></p><img src="x.png"><br/></div>');
  });

  it('closes what it opens and drops end tags of elements it did not open', () => {
    expect(bodyFragment('<body><div><table><tr><td>x</body>')).toBe('<div><table><tr><td>x</td></tr></table></div>');
    expect(bodyFragment('<body>a</div></td></table><p>b</P></body>')).toBe('a<p>b</p>');
    expect(bodyFragment('<div><span>a</div>b')).toBe('<div><span>a</span></div>b');
  });

  it('keeps comments (Outlook conditionals) and cannot be swallowed by unterminated ones or stray brackets', () => {
    const mso =
      '<!--[if mso | IE]><table><tr><td><![endif]--><div>x</div><!--[if mso | IE]></td></tr></table><![endif]-->';
    expect(bodyFragment(`<body>${mso}</body>`)).toBe(mso);
    expect(bodyFragment('<body><div>a</div><!-- never ends <div>b</div></body>')).toBe('<div>a</div>');
    expect(bodyFragment('<body>1 < 2 <div title="a>b">c</div><a href="x</body>')).toBe(
      '1 &lt; 2 <div title="a>b">c</div>&lt;a href="x',
    );
    expect(bodyFragment('<body><plaintext>x<textarea>y')).toBe('x<textarea>y</textarea>');
  });

  it('leaves out a style or script left open, with everything after it', () => {
    expect(bodyFragment('<body><p>a</p><style>p{}')).toBe('<p>a</p>');
  });
});
