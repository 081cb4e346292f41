import { describe, expect, it } from 'vitest';
import { type RenderInput, renderEmail } from './render.ts';
import { RenderError } from './render-error.ts';

const mjml = `<mjml><mj-body><mj-section><mj-column>
<mj-text><h1>Hello {{ contact.first_name | default: "there" }}</h1><p>Your plan: {{ contact.plan }}</p>{% if contact.vip %}<p>Thanks for being VIP.</p>{% endif %}<p>Sent to {{ contact.email }} ({{ contact.id }})</p></mj-text>
<mj-button href="https://shop.example/offer?c={{ contact.id }}&amp;src=email">See the offer</mj-button>
<mj-text><a href="https://docs.example/help" data-wm-notrack>Help</a> <a href="mailto:support@shop.example">Write to us</a> <a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text>
</mj-column></mj-section></mj-body></mjml>`;

const unsubscribeUrl = 'https://wm.example/u/TOKEN';

function input(overrides: Partial<RenderInput> = {}): RenderInput {
  return {
    template: { subject: 'Hi {{ contact.first_name | default: "there" }}', mjml },
    contact: { id: 'c1', email: 'ann@example.com', attributes: { first_name: 'Ann', plan: 'pro' } },
    links: { unsubscribeUrl },
    ...overrides,
  };
}

const tracking = {
  openUrl: 'https://wm.example/t/o/OPEN',
  clickUrl: (url: string, index: number) => `https://wm.example/t/c/${index}?to=${encodeURIComponent(url)}`,
};

async function renderError(promise: Promise<unknown>): Promise<RenderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RenderError);
  return err as RenderError;
}

describe('renderEmail', () => {
  it('fills merge tags from contact attributes, email, id and defaults', async () => {
    const out = await renderEmail(input());
    expect(out.subject).toBe('Hi Ann');
    expect(out.html).toContain('Hello Ann');
    expect(out.html).toContain('Your plan: pro');
    expect(out.html).toContain('Sent to ann@example.com (c1)');
    expect(out.html).not.toContain('VIP');
    expect(out.text).toContain('Hello Ann');
    expect(out.text).toContain('Your plan: pro');

    const anonymous = await renderEmail(
      input({ contact: { id: 'c2', email: 'x@example.com', attributes: { vip: true } } }),
    );
    expect(anonymous.subject).toBe('Hi there');
    expect(anonymous.html).toContain('Hello there');
    expect(anonymous.html).toContain('Thanks for being VIP.');
  });

  it('HTML-escapes values in the HTML part and leaves them plain in the subject and text part', async () => {
    const first_name = '<script>alert("x")</script> & Co';
    const out = await renderEmail(input({ contact: { id: 'c1', email: 'a@example.com', attributes: { first_name } } }));
    expect(out.html).toContain('Hello &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co');
    expect(out.html).not.toContain('<script>');
    expect(out.subject).toBe(`Hi ${first_name}`);
    expect(out.text).toContain(`Hello ${first_name}`);
  });

  it('does not let a merge-tag value reach the prototype or the file system', async () => {
    const proto = await renderEmail(
      input({ template: { subject: '[{{ contact.constructor }}][{{ contact.__proto__ }}]', mjml } }),
    );
    expect(proto.subject).toBe('[][]');
    const err = await renderError(renderEmail(input({ template: { subject: '{% include "/etc/passwd" %}', mjml } })));
    expect(err.code).toBe('template_render');
    expect(err.field).toBe('subject');
  });

  it('rewrites http(s) links to click redirects and appends an open pixel', async () => {
    const out = await renderEmail(input({ tracking }));
    const hrefs = [...out.html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toContain(
      `https://wm.example/t/c/0?to=${encodeURIComponent('https://shop.example/offer?c=c1&src=email')}`,
    );
    // Help is marked data-wm-notrack; mailto and the unsubscribe link are never tracked.
    expect(hrefs).toContain('https://docs.example/help');
    expect(hrefs).toContain('mailto:support@shop.example');
    expect(hrefs).toContain(unsubscribeUrl);
    expect(hrefs.filter((h) => h?.startsWith('https://wm.example/t/c/'))).toHaveLength(1);
    expect(out.html).toMatch(/<img src="https:\/\/wm\.example\/t\/o\/OPEN" width="1" height="1"[^>]*><\/body>/);
    // The text part's links are tracked the same way, the pixel is not in it.
    expect(out.text).toContain(
      `See the offer [https://wm.example/t/c/0?to=${encodeURIComponent('https://shop.example/offer?c=c1&src=email')}]`,
    );
    expect(out.text).toContain('Help [https://docs.example/help]');
    expect(out.text).toContain(`Unsubscribe [${unsubscribeUrl}]`);
    expect(out.text).not.toContain('t/o/OPEN');
  });

  it('leaves links alone and adds no pixel without tracking (previews)', async () => {
    const out = await renderEmail(input());
    expect(out.html).toContain('href="https://shop.example/offer?c=c1&amp;src=email"');
    expect(out.html).not.toContain('t/o/');
  });

  it('adds a visible unsubscribe link when the template has none', async () => {
    const bare =
      '<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-text></mj-column></mj-section></mj-body></mjml>';
    const out = await renderEmail(input({ template: { subject: 's', mjml: bare }, tracking }));
    expect(out.html).toContain(`href="${unsubscribeUrl}"`);
    expect(out.text).toContain(`Unsubscribe: ${unsubscribeUrl}`);
  });

  it('adds a preference-center link next to the template own unsubscribe link, untracked', async () => {
    const preferencesUrl = 'https://wm.example/p/TOKEN';
    const out = await renderEmail(input({ links: { unsubscribeUrl, preferencesUrl }, tracking }));
    expect(out.html).toContain(`href="${preferencesUrl}" style="color:#6b7280" data-wm-notrack>Email preferences</a>`);
    expect(out.html.match(/>Unsubscribe</g)).toHaveLength(1);
    expect(out.text).toContain(`Email preferences: ${preferencesUrl}`);
    expect(out.text).not.toContain('Unsubscribe:');
    const own = mjml.replace('{{ unsubscribe_url }}', '{{ preferences_url }}');
    const linked = await renderEmail(
      input({ template: { subject: 's', mjml: own }, links: { unsubscribeUrl, preferencesUrl }, tracking }),
    );
    expect(linked.html).not.toContain('Email preferences');
    expect(linked.html).toContain(`href="${preferencesUrl}"`);
    expect(linked.html).toContain(`href="${unsubscribeUrl}" style="color:#6b7280" data-wm-notrack>Unsubscribe</a>`);
  });

  it('links no web font by default; only a font the template declares with mj-font', async () => {
    // MJML's default font-family names Ubuntu, which MJML would link from fonts.googleapis.com.
    const plain = await renderEmail(input());
    expect(plain.html).toContain('font-family:Ubuntu');
    expect(plain.html).not.toMatch(/fonts\.googleapis|@import|<link/);

    const lato = 'https://fonts.example/css?family=Lato';
    const declared = `<mjml><mj-head><mj-font name="Lato" href="${lato}" /></mj-head><mj-body><mj-section><mj-column>
<mj-text font-family="Lato, Arial">Hi</mj-text><mj-text font-family="Roboto, Arial">There</mj-text></mj-column></mj-section></mj-body></mjml>`;
    const out = await renderEmail(input({ template: { subject: 'Fonts', mjml: declared } }));
    expect(out.html).toContain(`<link href="${lato}" rel="stylesheet"`);
    expect(out.html).toContain(`@import url(${lato});`);
    expect(out.html).not.toContain('googleapis');

    // The declaration of one template does not leak into the next one compiled.
    const after = await renderEmail(
      input({ template: { subject: 'Again', mjml: declared.replace(/<mj-head>.*<\/mj-head>/, '') } }),
    );
    expect(after.html).toContain('font-family:Lato');
    expect(after.html).not.toMatch(/<link|@import/);
  });

  it('renders a subject chosen by the journey, merge tags included', async () => {
    const out = await renderEmail(input({ subjectOverride: '{{ contact.first_name }}, 20% off\r\n today' }));
    expect(out.subject).toBe('Ann, 20% off today');
  });

  it('renders merge tags that shape the MJML itself (a loop around sections)', async () => {
    const loop = `<mjml><mj-body>{% for item in contact.items %}<mj-section><mj-column><mj-text>Item {{ item }}</mj-text></mj-column></mj-section>{% endfor %}</mj-body></mjml>`;
    const out = await renderEmail(
      input({
        template: { subject: 's', mjml: loop },
        contact: { id: 'c', email: 'a@b.c', attributes: { items: ['A', 'B'] } },
      }),
    );
    expect(out.html).toContain('Item A');
    expect(out.html).toContain('Item B');
    expect(out.text).toContain('Item A');
  });

  it('reports a merge-tag syntax error with the field, line and column', async () => {
    const broken =
      '<mjml><mj-body><mj-section><mj-column>\n<mj-text>{% if contact.vip %}VIP</mj-text>\n</mj-column></mj-section></mj-body></mjml>';
    const err = await renderError(renderEmail(input({ template: { subject: 's', mjml: broken } })));
    expect(err.code).toBe('template_syntax');
    expect(err.field).toBe('mjml');
    expect(err.position).toEqual({ line: 2, column: 10 });
    expect(err.message).toMatch(/^template mjml: tag \{% if contact.vip %\} not closed/);
    expect(err.toApiError().details).toEqual({ code: 'template_syntax', field: 'mjml', line: 2, column: 10 });

    const subject = await renderError(
      renderEmail(input({ template: { subject: 'Hi {{ contact.first_name | shout }}', mjml } })),
    );
    expect(subject.code).toBe('template_syntax');
    expect(subject.field).toBe('subject');
    expect(subject.message).toContain('undefined filter: shout');
  });

  it('reports MJML that cannot be compiled, and returns validation problems as warnings', async () => {
    const err = await renderError(renderEmail(input({ template: { subject: 's', mjml: 'this is not mjml' } })));
    expect(err.code).toBe('mjml_invalid');
    expect(err.field).toBe('mjml');

    const soft = await renderEmail(
      input({ template: { subject: 's', mjml: '<mjml><mj-body><mj-text>Loose text</mj-text></mj-body></mjml>' } }),
    );
    expect(soft.warnings).toEqual([expect.objectContaining({ tagName: 'mj-text', line: 1 })]);
  });

  it('compiles a template once and renders it quickly for many contacts', async () => {
    await renderEmail(input({ tracking }));
    const started = performance.now();
    for (let i = 0; i < 500; i++)
      await renderEmail(
        input({ tracking, contact: { id: `c${i}`, email: 'a@b.c', attributes: { first_name: `N${i}` } } }),
      );
    // Compiling MJML alone takes ~10 ms; a cached template renders in well under 1 ms.
    expect((performance.now() - started) / 500).toBeLessThan(2);
  });
});
