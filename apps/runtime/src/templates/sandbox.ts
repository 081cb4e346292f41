import { escapeHtml, insertAtHeadStart } from './html.ts';

/*
 * Email HTML is user content (a template author, a merge-tag value, a message caught by the dev
 * sink). We do not try to sanitize it into something "safe": a sanitizer that is good enough for
 * hostile HTML is a moving target, and it would change what the author sees compared with what the
 * recipient gets. Instead, wherever a browser shows it, it goes into an iframe that has no script,
 * no same-origin access and no forms (the sandbox attribute), and the document itself carries a
 * Content-Security-Policy that allows no script either, so one layer still holds if the other is
 * forgotten. Links open in a new tab, outside the sandbox.
 */

/** The `sandbox` attribute for frames that show email HTML: no scripts, no same-origin, no forms. */
export const emailFrameSandbox = 'allow-popups allow-popups-to-escape-sandbox';

/** The policy put inside a shown email document: images, inline styles and fonts, nothing else. */
export const emailDocumentCsp =
  "default-src 'none'; img-src http: https: data: cid:; style-src 'unsafe-inline' http: https:; font-src http: https: data:; base-uri 'none'; form-action 'none'";

/**
 * Prepares email HTML to be shown in a frame: a CSP that forbids scripts, and links that open in a
 * new tab. Use it with {@link emailFrameSandbox} (the `srcdoc` of a sandboxed iframe).
 *
 * @example
 * iframe.sandbox.value = emailFrameSandbox;
 * iframe.srcdoc = emailPreviewDocument(rendered.html);
 */
export function emailPreviewDocument(html: string): string {
  return insertAtHeadStart(
    html,
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(emailDocumentCsp)}"><base target="_blank">`,
  );
}

/** An `<iframe>` element, for server-rendered pages, showing email HTML sandboxed. */
export function emailFrame(html: string, attributes: { title: string; style?: string }): string {
  const style = attributes.style === undefined ? '' : ` style="${escapeHtml(attributes.style)}"`;
  return `<iframe sandbox="${emailFrameSandbox}" referrerpolicy="no-referrer" title="${escapeHtml(attributes.title)}"${style} srcdoc="${escapeHtml(emailPreviewDocument(html))}"></iframe>`;
}
