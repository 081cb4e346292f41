import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { emailFrameSandbox } from '../templates/sandbox.ts';

/** Where the page keeps the editor token: this tab only, gone when it closes. */
const storageKey = 'waymark.editorToken';

function inboxHtml(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Development inbox · Waymark</title>
<style>
  :root { color-scheme: light; --line: #e4e4e7; --muted: #71717a; --accent: #2563eb; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #18181b; background: #fafafa; height: 100vh; display: flex; flex-direction: column; }
  header { display: flex; align-items: center; gap: 1rem; padding: .6rem 1rem; border-bottom: 1px solid var(--line); background: #fff; }
  header h1 { font-size: 1rem; margin: 0; }
  header .status { color: var(--muted); flex: 1; }
  button { font: inherit; border: 1px solid var(--line); background: #fff; border-radius: 6px; padding: .3rem .7rem; cursor: pointer; }
  button:focus-visible, li:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
  .layout { flex: 1; display: flex; min-height: 0; }
  nav { width: 24rem; max-width: 45%; border-right: 1px solid var(--line); overflow-y: auto; background: #fff; }
  nav ul { list-style: none; margin: 0; padding: 0; }
  nav li { padding: .6rem 1rem; border-bottom: 1px solid var(--line); cursor: pointer; }
  nav li[aria-selected="true"] { background: #eff6ff; }
  nav .subject { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  nav .meta { color: var(--muted); font-size: 12px; display: flex; justify-content: space-between; gap: .5rem; }
  nav .meta span:first-child { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  main { flex: 1; display: flex; flex-direction: column; min-width: 0; }
  .empty { margin: auto; color: var(--muted); text-align: center; max-width: 28rem; padding: 1rem; }
  .head { padding: .8rem 1rem; border-bottom: 1px solid var(--line); background: #fff; }
  .head h2 { margin: 0 0 .4rem; font-size: 1.1rem; }
  .head dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; margin: 0; font-size: 13px; }
  .head dt { color: var(--muted); }
  .head dd { margin: 0; overflow-wrap: anywhere; }
  .tabs { display: flex; gap: .3rem; padding: .5rem 1rem 0; background: #fff; border-bottom: 1px solid var(--line); }
  .tabs button { border-bottom: 0; border-radius: 6px 6px 0 0; }
  .tabs button[aria-selected="true"] { background: #f4f4f5; font-weight: 600; }
  .pane { flex: 1; min-height: 0; overflow: auto; background: #f4f4f5; }
  iframe { width: 100%; height: 100%; border: 0; background: #fff; display: block; }
  pre { margin: 0; padding: 1rem; white-space: pre-wrap; overflow-wrap: anywhere; font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; }
  table.headers { border-collapse: collapse; margin: 1rem; font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; }
  table.headers td { border-bottom: 1px solid var(--line); padding: .2rem .6rem; vertical-align: top; overflow-wrap: anywhere; }
  table.headers td:first-child { color: var(--muted); white-space: nowrap; }
  .error { color: #b91c1c; }
</style>
</head>
<body>
<header>
  <h1>Development inbox</h1>
  <span class="status" id="status" role="status"></span>
  <button type="button" id="refresh">Refresh</button>
  <button type="button" id="signout">Forget token</button>
</header>
<div class="layout">
  <nav aria-label="Messages"><ul id="list" role="listbox" aria-label="Messages"></ul></nav>
  <main id="detail"><p class="empty">Select a message.</p></main>
</div>
<script nonce="${nonce}">
(() => {
  const key = ${JSON.stringify(storageKey)};
  const sandbox = ${JSON.stringify(emailFrameSandbox)};
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get('token')) {
    sessionStorage.setItem(key, hash.get('token'));
    history.replaceState(null, '', location.pathname + location.search);
  }
  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    for (const child of children) node.append(child);
    return node;
  };
  let selected = null;
  let newest = null;

  async function api(path) {
    const token = sessionStorage.getItem(key);
    if (!token) throw new Error('No token in this tab. Open the sign-in link the runtime printed at start.');
    const res = await fetch(path, { headers: { authorization: 'Bearer ' + token } });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw Object.assign(new Error((body.error && body.error.message) || res.status + ' ' + res.statusText), { status: res.status });
    return body;
  }

  function showError(err) {
    $('status').textContent = '';
    $('status').append(el('span', { className: 'error', textContent: err.message }));
  }

  async function loadList() {
    try {
      const { messages } = await api('/v1/dev/inbox?limit=200');
      $('status').textContent = messages.length === 0 ? 'No messages yet' : messages.length + ' message' + (messages.length === 1 ? '' : 's') + ' · refreshes every 3 s';
      if (messages.length > 0 && messages[0].id === newest && $('list').childElementCount === messages.length) return;
      newest = messages.length > 0 ? messages[0].id : null;
      $('list').replaceChildren(...messages.map((m) => {
        const li = el('li', { tabIndex: 0, role: 'option' },
          el('div', { className: 'subject', textContent: m.subject || '(no subject)' }),
          el('div', { className: 'meta' },
            el('span', { textContent: m.envelope.to.join(', ') }),
            el('span', { textContent: new Date(m.receivedAt).toLocaleTimeString() })));
        li.setAttribute('aria-selected', String(m.id === selected));
        li.addEventListener('click', () => open(m.id));
        li.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(m.id); } });
        li.dataset.id = m.id;
        return li;
      }));
    } catch (err) {
      // A wrong or too narrow token will not get better by asking again.
      if (err.status === 401 || err.status === 403) clearInterval(refresher);
      showError(err);
    }
  }

  function tabs(panes) {
    const bar = el('div', { className: 'tabs', role: 'tablist' });
    const pane = el('div', { className: 'pane', role: 'tabpanel' });
    const pick = (name) => {
      for (const b of bar.children) b.setAttribute('aria-selected', String(b.dataset.name === name));
      pane.replaceChildren(panes[name]());
    };
    for (const name of Object.keys(panes)) {
      const b = el('button', { type: 'button', role: 'tab', textContent: name });
      b.dataset.name = name;
      b.addEventListener('click', () => pick(name));
      bar.append(b);
    }
    pick(Object.keys(panes)[0]);
    return [bar, pane];
  }

  async function open(id) {
    selected = id;
    for (const li of $('list').children) li.setAttribute('aria-selected', String(Number(li.dataset.id) === id));
    try {
      const m = await api('/v1/dev/inbox/' + id);
      const dl = el('dl');
      for (const [k, v] of [['From', m.from], ['To', m.to], ['Envelope', (m.envelope.from || '') + ' → ' + m.envelope.to.join(', ')], ['Date', m.date && new Date(m.date).toLocaleString()], ['Message-ID', m.messageId]]) {
        if (v) dl.append(el('dt', { textContent: k }), el('dd', { textContent: v }));
      }
      const panes = {};
      if (m.previewHtml !== null) panes.HTML = () => {
        // The email is user content: shown in a frame without scripts, same-origin access or forms.
        const frame = el('iframe', { title: 'HTML body of ' + (m.subject || 'the message'), referrerPolicy: 'no-referrer' });
        frame.setAttribute('sandbox', sandbox);
        frame.srcdoc = m.previewHtml;
        return frame;
      };
      panes.Text = () => el('pre', { textContent: m.text || '(no text part)' });
      panes.Headers = () => el('table', { className: 'headers' }, ...m.headers.map((h) => el('tr', {}, el('td', { textContent: h.name }), el('td', { textContent: h.value }))));
      $('detail').replaceChildren(el('div', { className: 'head' }, el('h2', { textContent: m.subject || '(no subject)' }), dl), ...tabs(panes));
    } catch (err) {
      $('detail').replaceChildren(el('p', { className: 'empty error', textContent: err.message }));
    }
  }

  $('refresh').addEventListener('click', loadList);
  $('signout').addEventListener('click', () => { sessionStorage.removeItem(key); location.reload(); });
  const refresher = setInterval(() => { if (!document.hidden) loadList(); }, 3000);
  loadList();
})();
</script>
</body>
</html>
`;
}

/**
 * `GET /inbox`: the development inbox page (public; the data comes from `/v1/dev/inbox` with the
 * editor token the sign-in link hands over in the fragment `#token=…`). Mount at the app root.
 */
export function devInboxPageRoutes(): Hono {
  const router = new Hono();
  router.get('/inbox', (c) => {
    const nonce = randomBytes(16).toString('base64');
    return c.html(inboxHtml(nonce), 200, {
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      // The email frames inherit this policy too (srcdoc), on top of their sandbox: no script runs there.
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline' http: https:; img-src http: https: data: cid:; font-src http: https: data:; connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
    });
  });
  return router;
}
