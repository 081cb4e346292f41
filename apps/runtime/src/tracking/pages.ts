import { escapeHtml } from '../templates/html.ts';

/** Headers of the public unsubscribe pages: no caching, no framing, no referrer (the URL is a capability). */
export const pageHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
} as const;

/** A complete public page (no scripts, no external assets) around `body`, which must be escaped HTML. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f4f4f5; color: #18181b; margin: 0; }
  main { max-width: 28rem; margin: 15vh auto 0; background: #fff; border-radius: 12px; padding: 2rem; box-shadow: 0 1px 3px rgba(0,0,0,.1); }
  h1 { font-size: 1.25rem; margin: 0 0 .75rem; }
  p { line-height: 1.5; color: #3f3f46; }
  button { font: inherit; background: #18181b; color: #fff; border: 0; border-radius: 8px; padding: .6rem 1.2rem; cursor: pointer; }
  button:focus-visible, input:focus-visible { outline: 3px solid #60a5fa; outline-offset: 2px; }
  fieldset { border: 1px solid #e4e4e7; border-radius: 8px; margin: 0 0 1rem; padding: .75rem 1rem; }
  legend { font-weight: 600; padding: 0 .25rem; }
  .choice { display: flex; gap: .6rem; align-items: flex-start; margin: .5rem 0; }
  .choice input { margin-top: .3rem; width: 1.1rem; height: 1.1rem; flex: none; }
  .hint { display: block; color: #52525b; font-size: .9rem; }
  .notice { background: #ecfdf5; color: #065f46; border-radius: 8px; padding: .6rem .9rem; }
  .danger { background: #b91c1c; }
  hr { border: 0; border-top: 1px solid #e4e4e7; margin: 1.5rem 0; }
</style>
</head>
<body><main>${body}</main></body>
</html>
`;
}

/**
 * The page a recipient lands on from the unsubscribe link: one button, which posts the RFC 8058 form,
 * and a way to the preference center for those who only want less.
 */
export function unsubscribeConfirmPage(preferencesUrl?: string): string {
  return page(
    'Unsubscribe',
    `<h1>Unsubscribe</h1>
<p>Stop receiving these emails? You can't undo this from here.</p>
<form method="post">
  <input type="hidden" name="List-Unsubscribe" value="One-Click">
  <button type="submit">Unsubscribe</button>
</form>${preferencesUrl ? `\n<p><a href="${escapeHtml(preferencesUrl)}">Choose topics, get less email, or pause instead</a></p>` : ''}`,
  );
}

/** The page shown after unsubscribing. */
export function unsubscribedPage(email: string | null): string {
  const who = email ? `<strong>${escapeHtml(email)}</strong> will` : 'You will';
  return page('Unsubscribed', `<h1>You're unsubscribed</h1><p>${who} no longer receive these emails.</p>`);
}

/** The page shown for a link that is broken or was tampered with. */
export function invalidLinkPage(): string {
  return page(
    'Link not valid',
    `<h1>This link doesn't work</h1><p>It may have been cut off or changed. Use the link in the most recent email.</p>`,
  );
}
