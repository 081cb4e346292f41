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
