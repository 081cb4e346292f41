import { compile, type DomNode } from 'html-to-text';

/** Marks a link URL in the text part that may be tracked: `\uE002url\uE003`. */
export const trackedLinkStart = '\uE002';
/** Marks a link URL in the text part that must not be tracked (`data-wm-notrack`): `\uE004url\uE003`. */
export const untrackedLinkStart = '\uE004';
/** Ends a marked link URL. */
export const linkEnd = '\uE003';

function textOf(node: DomNode): string {
  if (node.type === 'text') return node.data ?? '';
  return node.children?.map(textOf).join('') ?? '';
}

const headings = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({
  selector,
  options: { uppercase: false },
}));

/**
 * Converts email HTML to the plain-text part. Link URLs come out between markers so that the caller
 * can swap in tracking redirects (see {@link replaceMarkedLinks}); images are left out, the open
 * pixel included.
 */
export const htmlToText: (html: string) => string = compile({
  wordwrap: 78,
  selectors: [{ selector: 'img', format: 'skip' }, { selector: 'a', format: 'markedAnchor' }, ...headings],
  formatters: {
    markedAnchor(elem, walk, builder) {
      const href = String(elem.attribs?.href ?? '').trim();
      if (href === '' || href.startsWith('#')) return walk(elem.children, builder);
      const shown = href.startsWith('mailto:') ? href.slice('mailto:'.length) : href;
      const marked = `${elem.attribs?.['data-wm-notrack'] === undefined ? trackedLinkStart : untrackedLinkStart}${shown}${linkEnd}`;
      // A link whose text is its own address is written once, as the (trackable) address.
      if (textOf(elem).trim() === shown) return builder.addInline(marked, { noWordTransform: true });
      walk(elem.children, builder);
      builder.addInline(` [${marked}]`, { noWordTransform: true });
    },
  },
});

/** Replaces each marked link URL by what `replace` returns for it (its own URL when untracked). */
export function replaceMarkedLinks(text: string, replace: (url: string, index: number) => string | undefined): string {
  let index = 0;
  return text.replace(/([\uE002\uE004])([^\uE003]*)\uE003/g, (_, start: string, url: string) => {
    if (start === untrackedLinkStart) return url;
    const next = replace(url, index);
    if (next === undefined) return url;
    index++;
    return next;
  });
}
