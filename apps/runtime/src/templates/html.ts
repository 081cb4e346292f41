const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values (the same five characters liquid's `escape` does). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c] as string);
}

const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes the character references that occur in attribute values (URLs) of generated HTML. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code =
        ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return named[ref.toLowerCase()] ?? whole;
  });
}

// An opening <a> tag; quoted attribute values may contain '>'.
const anchorTag = /<a\b(?:[^>"']|"[^"]*"|'[^']*')*>/gi;
const hrefAttribute = /(\shref\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i;
const noTrackAttribute = /\sdata-wm-notrack\b/i;

/**
 * Rewrites the `href` of every `<a>` tag for which `replace` returns a URL (e.g. a click-tracking
 * redirect). `replace` gets the decoded URL and the index of the link among those it rewrote; links
 * marked `data-wm-notrack` are left alone.
 */
export function rewriteLinks(html: string, replace: (url: string, index: number) => string | undefined): string {
  let index = 0;
  return html.replace(anchorTag, (tag) => {
    if (noTrackAttribute.test(tag)) return tag;
    const m = hrefAttribute.exec(tag);
    if (!m) return tag;
    const url = decodeEntities((m[2] ?? m[3] ?? m[4] ?? '').trim());
    const next = replace(url, index);
    if (next === undefined) return tag;
    index++;
    return `${tag.slice(0, m.index)}${m[1]}"${escapeHtml(next)}"${tag.slice(m.index + m[0].length)}`;
  });
}

/** Inserts `snippet` just before the last `</body>` (or at the end when there is none). */
export function insertBeforeBodyEnd(html: string, snippet: string): string {
  const at = html.toLowerCase().lastIndexOf('</body>');
  return at < 0 ? html + snippet : html.slice(0, at) + snippet + html.slice(at);
}

/** Inserts `snippet` at the start of `<head>` (creating one after `<html>` or at the start when missing). */
export function insertAtHeadStart(html: string, snippet: string): string {
  const head = /<head\b[^>]*>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + snippet + html.slice(head.index + head[0].length);
  const root = /<html\b[^>]*>/i.exec(html);
  if (root)
    return `${html.slice(0, root.index + root[0].length)}<head>${snippet}</head>${html.slice(root.index + root[0].length)}`;
  return `<head>${snippet}</head>${html}`;
}

const voidElements = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);
/** Elements about the whole document, or whose content is not markup: left out with their content. */
const droppedWithContent = new Set(['head', 'script', 'style', 'template', 'title']);
/** Tags left out on their own: document structure, and `plaintext`, which no end tag can close. */
const droppedTags = new Set(['base', 'body', 'frameset', 'html', 'link', 'meta', 'plaintext']);
const tagAt = /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/y;
const declarationAt = /<[!?][^>]*>/y;
const bodyStart = /<body\b(?:[^>"']|"[^"]*"|'[^']*')*>/i;

/**
 * The content of an HTML document's body as a fragment that can sit inside another document without
 * changing anything around it: every element it opens is closed, end tags of elements it did not
 * open are left out, an unterminated comment or tag cannot swallow what follows (a stray `<` becomes
 * `&lt;`), and what acts on the whole document — `<head>`, `<style>`, `<script>`, `<base>`,
 * `<meta>` and the like — is left out. Comments (Outlook's conditional ones) are kept as they are.
 * Not a sanitizer: links, inline styles and attributes stay; a digest uses it to put several
 * rendered emails in one message.
 *
 * @example
 * bodyFragment('<html><head><style>p{}</style></head><body><div><p>Hi</div></td></body></html>');
 * // '<div><p>Hi</p></div>'
 */
export function bodyFragment(html: string): string {
  const start = bodyStart.exec(html);
  const from = start ? start.index + start[0].length : 0;
  const end = html.toLowerCase().lastIndexOf('</body>');
  const source = html.slice(from, end >= from ? end : html.length);
  const out: string[] = [];
  const open: string[] = [];
  let at = 0;
  while (at < source.length) {
    const lt = source.indexOf('<', at);
    if (lt < 0) {
      out.push(source.slice(at));
      break;
    }
    out.push(source.slice(at, lt));
    if (source.startsWith('<!--', lt)) {
      const close = source.indexOf('-->', lt + 4);
      // Unterminated: it would hide the rest of the digest.
      if (close < 0) break;
      out.push(source.slice(lt, close + 3));
      at = close + 3;
      continue;
    }
    tagAt.lastIndex = lt;
    const tag = tagAt.exec(source);
    if (!tag) {
      declarationAt.lastIndex = lt;
      const declaration = declarationAt.exec(source);
      if (declaration) at = lt + declaration[0].length;
      else {
        out.push('&lt;');
        at = lt + 1;
      }
      continue;
    }
    at = lt + tag[0].length;
    const name = (tag[2] as string).toLowerCase();
    const closing = tag[1] === '/';
    if (droppedWithContent.has(name)) {
      if (!closing) {
        const close = source.toLowerCase().indexOf(`</${name}`, at);
        const after = close < 0 ? -1 : source.indexOf('>', close);
        at = after < 0 ? source.length : after + 1;
      }
      continue;
    }
    if (droppedTags.has(name)) continue;
    if (closing) {
      const depth = open.lastIndexOf(name);
      if (depth < 0) continue;
      while (open.length > depth) out.push(`</${open.pop()}>`);
      continue;
    }
    out.push(tag[0]);
    if (!voidElements.has(name) && !/\/\s*$/.test(tag[3] ?? '')) open.push(name);
  }
  while (open.length > 0) out.push(`</${open.pop()}>`);
  return out.join('');
}
