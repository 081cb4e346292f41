const imageTag = /<mj-image\b[^>]*?\ssrc=(?:"([^"]*)"|'([^']*)')/gi;
const backgroundUrl = /\sbackground-url=(?:"([^"]*)"|'([^']*)')/gi;

const decode = (v: string) =>
  v
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/**
 * The picture addresses an MJML template shows (`mj-image` sources and section backgrounds), in order
 * and once each. Only http(s) addresses: placeholders (`data:`) and merge tags are not pictures to reuse.
 */
export function imagesIn(mjml: string): string[] {
  const found = new Set<string>();
  for (const pattern of [imageTag, backgroundUrl])
    for (const m of mjml.matchAll(pattern)) {
      const url = decode((m[1] ?? m[2] ?? '').trim());
      if (/^https?:\/\/[^\s{}]+$/i.test(url)) found.add(url);
    }
  return [...found];
}
