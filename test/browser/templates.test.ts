import { startTestSmtp } from '@waymark/runtime/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestRuntime } from '../support/runtime.ts';
import {
  type ChromiumSession,
  create,
  designCanvas,
  dragTextBlockUnder,
  editorDir,
  goToHash,
  poll,
  prepareEditor,
  recordPageErrors,
  saveTemplate,
  screenshot,
  signIn,
  startRuntimeAndChromium,
  typeCartGreeting,
} from './support.ts';

type Sink = Awaited<ReturnType<typeof startTestSmtp>>;
type Template = { id: string; name: string; subject: string; mjml: string; project?: Record<string, unknown> };

describe('template designer in Chromium', () => {
  let session: ChromiumSession | undefined;
  let t: TestRuntime | undefined;
  let sink: Sink | undefined;
  let page: Page;
  let refused: string[] = [];

  beforeAll(async () => {
    prepareEditor();
    sink = await startTestSmtp();
    session = await startRuntimeAndChromium('pglite', { smtpUrl: sink.url, editorDir });
    ({ t, page, refused } = session);
  }, 60_000);

  afterAll(async () => {
    await session?.close();
    await sink?.close();
  });

  const shot = (name: string) => screenshot(page, `templates-${name}`);
  const canvas = () => designCanvas(page);

  it('designs a template with a block, text and a merge tag; the saved MJML compiles clean, previews and sends', async () => {
    if (!t || !sink) throw new Error('runtime did not start');
    const errors = recordPageErrors(page);
    const contact = await t.api<{ ids: string[] }>('POST', '/v1/contacts', {
      email: 'ada@example.com',
      attributes: { first_name: 'Ada', plan: 'pro' },
    });
    expect(contact.status).toBe(200);
    const contactId = contact.body.ids[0] as string;

    // From the journey list to the library, where a new template opens in the designer.
    await signIn(page, t);
    await page.getByRole('link', { name: 'Email templates' }).click();
    await page.getByLabel('Name of the new template').fill('Cart reminder');
    await page.getByRole('button', { name: 'New template' }).click();
    const starter = canvas().getByText('Hello', { exact: false });
    await starter.waitFor({ timeout: 20_000 });

    // A text block dragged under the starter text.
    const added = await dragTextBlockUnder(page, starter);

    // Typed text and, at the cursor, a merge tag from the picker of the contact's attributes.
    await typeCartGreeting(page, added, 'there');
    await page.getByLabel('Subject').fill('Your cart misses you');
    await saveTemplate(page);
    await shot('01-designer');

    // Saved: the project data to reopen and MJML without editor ids or attributes.
    const list = await t.api<{ templates: Template[] }>('GET', '/v1/templates');
    const id = list.body.templates[0]?.id as string;
    const saved = await t.api<Template>('GET', `/v1/templates/${id}`);
    expect(saved.body.subject).toBe('Your cart misses you');
    expect(saved.body.project).toBeTypeOf('object');
    expect(saved.body.mjml).toContain('{{contact.first_name | default: "there"}}!');
    expect(saved.body.mjml.match(/<mj-text/g)?.length).toBe(2);
    expect(saved.body.mjml).not.toMatch(/data-gjs|\sid="i[a-z0-9]+/);

    // The MJML compiles: merge tag filled for the contact, styles inlined, nothing of the editor left.
    const preview = await t.api<{ html: string; subject: string }>('POST', `/v1/templates/${id}/preview`, {
      contactId,
    });
    expect(preview.status).toBe(200);
    expect(preview.body.html).toMatch(/Your cart is waiting,(\s|&nbsp;|&#160;)+Ada!/);
    expect(preview.body.html).not.toContain('{{');
    expect(preview.body.html).toMatch(/<td[^>]+style="[^"]*font-size/);
    expect(preview.body.html).not.toMatch(/data-gjs|gjs-|\sid="i[a-z0-9]{2,8}(-\d+)?"/);
    expect(preview.body.html).not.toContain('<mj-');
    const fallback = await t.api<{ html: string }>('POST', `/v1/templates/${id}/preview`, {});
    expect(fallback.body.html).toMatch(/Your cart is waiting,(\s|&nbsp;|&#160;)+there!/);

    // Preview in the designer with the chosen contact, sandboxed, desktop and mobile.
    await page.getByLabel('Preview as contact').selectOption(contactId);
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    const previewFrame = page.getByTitle('Email preview');
    await previewFrame.waitFor();
    const sandbox = (await previewFrame.getAttribute('sandbox')) ?? '';
    expect(sandbox).not.toMatch(/allow-scripts|allow-same-origin/);
    await poll(async () =>
      ((await page.frameLocator('iframe[title="Email preview"]').locator('body').textContent()) ?? '').replace(
        /\s+/g,
        ' ',
      ),
    ).toContain('Your cart is waiting, Ada!');
    expect((await previewFrame.boundingBox())?.width).toBeGreaterThan(400);
    await page.getByRole('button', { name: 'Mobile' }).click();
    await poll(async () => (await previewFrame.boundingBox())?.width).toBe(375);
    await shot('02-preview-mobile');

    // A test email reaches the SMTP sink.
    await page.getByLabel('Send a test to').fill('qa@example.com');
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByText('Test email sent to qa@example.com').waitFor();
    await poll(() => sink?.received.length).toBe(1);
    const mail = await sink.received[0]?.parse();
    expect(mail?.subject).toBe('[Test] Your cart misses you');
    expect(mail?.text?.replace(/\s+/g, ' ')).toContain('Your cart is waiting, Ada!');
    expect(sink.received[0]?.envelope.to).toEqual(['qa@example.com']);

    // Reopening the template restores the design from its project data.
    await page.reload();
    await canvas()
      .getByText('Your cart is waiting, {{contact.first_name', { exact: false })
      .waitFor({ timeout: 20_000 });
    await shot('03-reopened');

    expect(errors).toEqual([]);
    expect(refused).toEqual([]);
  }, 90_000);

  it('picks a saved template in the send-email step and links to it; deletes a template from the library', async () => {
    if (!t) throw new Error('runtime did not start');
    await create(t, '/v1/templates', {
      id: 'old-promo',
      name: 'Old promo',
      subject: 'Sale',
      mjml: '<mjml><mj-body><mj-section><mj-column><mj-text>Sale</mj-text></mj-column></mj-section></mj-body></mjml>',
    });
    const journey = await create<{ id: string }>(t, '/v1/journeys', {
      name: 'Picker',
      definition: {
        schemaVersion: 1,
        settings: {},
        nodes: [{ id: 'sendEmail1', type: 'action.sendEmail', config: { template: '' } }],
        edges: [],
      },
      layout: { nodes: { sendEmail1: { x: 0, y: 0 } } },
    });
    await page.goto(`${t.url}/#/journeys/${journey.body.id}`);
    await page.locator('.react-flow__node[data-id="sendEmail1"]').click();
    await page.getByLabel('Choose a saved template').selectOption('old-promo');
    await poll(() => page.getByLabel(/^Template/).inputValue()).toBe('old-promo');
    const link = page.getByRole('link', { name: 'Open template' });
    expect(await link.getAttribute('href')).toBe('#/templates/old-promo');
    await shot('04-picker');

    await page.goto(`${t.url}/#/templates`);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete Old promo' }).click();
    await poll(() => page.getByRole('button', { name: 'Delete Old promo' }).count()).toBe(0);
    expect((await t.api('GET', '/v1/templates/old-promo')).status).toBe(404);
  }, 60_000);

  it('sets a button link, colours, size and an image in the settings panel; saved MJML has them; unsaved changes ask before leaving', async () => {
    if (!t) throw new Error('runtime did not start');
    const errors = recordPageErrors(page);
    // A picture another template uses (on the runtime's origin: nothing may leave localhost).
    const logo = `${t.url}/assets/logo.png`;
    await create(t, '/v1/templates', {
      id: 'newsletter',
      name: 'Newsletter',
      subject: 'News',
      mjml: `<mjml><mj-body><mj-section><mj-column><mj-image src="${logo}" /></mj-column></mj-section></mj-body></mjml>`,
    });
    await create(t, '/v1/templates', {
      id: 'promo',
      name: 'Promo',
      subject: 'Our offer',
      mjml: `<mjml><mj-body><mj-section><mj-column><mj-text>Big offer</mj-text><mj-button href="https://old.example/">Shop now</mj-button><mj-image src="${t.url}/assets/old.png" alt="" /></mj-column></mj-section></mj-body></mjml>`,
    });

    await signIn(page, t);
    await page.goto(`${t.url}/#/templates/promo`);
    const settings = page.getByRole('complementary', { name: 'Block settings' });
    await canvas().getByText('Shop now').waitFor({ timeout: 20_000 });

    // The button, selected on the canvas: its link, colours and font size in the panel.
    await canvas().getByText('Shop now').click();
    await settings.getByRole('heading', { name: 'Button settings' }).waitFor();
    const link = settings.getByLabel('Link (URL)');
    expect(await link.inputValue()).toBe('https://old.example/');
    await link.fill('https://shop.example/cart?from=email');
    await settings.getByLabel('Background colour', { exact: true }).fill('#ff6600');
    await settings.getByLabel('Text colour', { exact: true }).fill('#111111');
    await settings.getByLabel('Font size (px)').fill('18');
    await settings.getByLabel('Padding top (px)').fill('24');
    await settings.getByLabel('Alignment').selectOption('left');
    // The canvas shows the change.
    await poll(() =>
      canvas()
        .locator('a', { hasText: 'Shop now' })
        .evaluate((a) => (a as unknown as { style: { fontSize: string } }).style.fontSize),
    ).toBe('18px');

    // The image, chosen from the block picker and set from the keyboard: another template's picture, alt text.
    await settings.getByLabel('Block to edit').selectOption({ label: 'Image' });
    await settings.getByRole('heading', { name: 'Image settings' }).waitFor();
    const src = settings.getByLabel('Image address (URL)');
    await settings.getByLabel('Block to edit').focus();
    await page.keyboard.press('Tab');
    expect(
      await src.evaluate((el) => el === (el.getRootNode() as unknown as { activeElement: unknown }).activeElement),
    ).toBe(true);
    expect(await src.inputValue()).toBe(`${t.url}/assets/old.png`);
    await settings.getByLabel('Or an image already used').selectOption(logo);
    // The field follows once GrapesJS has announced the change to the panel.
    await poll(() => src.inputValue()).toBe(logo);
    await settings.getByLabel('Alt text (describes the image)').fill('Acme logo');
    await page.getByText('Unsaved changes').waitFor();
    await shot('05-block-settings');

    // Leaving with unsaved changes asks first: the back button, then a change of address.
    await page.getByRole('button', { name: 'Back to templates' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Leave without saving?' });
    await ask.waitFor();
    await shot('06-unsaved');
    await ask.getByRole('button', { name: 'Stay' }).click();
    await poll(() => ask.count()).toBe(0);
    await goToHash(page, '#/templates');
    await ask.waitFor();
    expect(page.url()).toContain('#/templates/promo');
    await ask.getByRole('button', { name: 'Stay' }).click();
    await settings.getByRole('heading', { name: 'Image settings' }).waitFor();

    // Saved: the MJML carries the link, styles and image; the email compiles with them.
    await saveTemplate(page);
    const saved = await t.api<Template>('GET', '/v1/templates/promo');
    const button = /<mj-button[^>]*>/.exec(saved.body.mjml)?.[0] ?? '';
    expect(button).toContain('href="https://shop.example/cart?from=email"');
    expect(button).toContain('background-color="#ff6600"');
    expect(button).toContain('color="#111111"');
    expect(button).toContain('font-size="18px"');
    expect(button).toContain('padding-top="24px"');
    expect(button).toContain('align="left"');
    const image = /<mj-image[^>]*>/.exec(saved.body.mjml)?.[0] ?? '';
    expect(image).toContain(`src="${logo}"`);
    expect(image).toContain('alt="Acme logo"');
    const preview = await t.api<{ html: string }>('POST', '/v1/templates/promo/preview', {});
    expect(preview.body.html).toContain('href="https://shop.example/cart?from=email"');
    expect(preview.body.html).toMatch(/background:#ff6600/);

    // Saved, the page is left without a question.
    await page.getByRole('button', { name: 'Back to templates' }).click();
    await page.getByRole('button', { name: 'Delete Promo' }).waitFor();
    expect(await ask.count()).toBe(0);

    // Reloading or closing the tab with unsaved changes: the browser asks (and the page stays when refused).
    await page.goto(`${t.url}/#/templates/promo`);
    await canvas().getByText('Shop now').waitFor({ timeout: 20_000 });
    // Text being typed counts, before the text block is left.
    await canvas().getByText('Big offer').dblclick();
    await page.keyboard.press('End');
    await page.keyboard.type(' today');
    await page.getByRole('button', { name: 'Back to templates' }).click();
    await ask.waitFor();
    await ask.getByRole('button', { name: 'Stay' }).click();
    await poll(() => ask.count()).toBe(0);
    // Saving straight from the text being typed keeps it.
    await saveTemplate(page);
    expect((await t.api<Template>('GET', '/v1/templates/promo')).body.mjml).toContain('Big offer today</mj-text>');
    await page.getByLabel('Subject').fill('Our offer, changed');
    const prompts: string[] = [];
    page.on('dialog', (d) => {
      prompts.push(d.type());
      void (prompts.length === 1 ? d.dismiss() : d.accept());
    });
    await page.close({ runBeforeUnload: true });
    await poll(() => prompts).toEqual(['beforeunload']);
    expect(page.isClosed()).toBe(false);
    await page.close({ runBeforeUnload: true });
    await poll(() => page.isClosed()).toBe(true);

    expect(errors).toEqual([]);
    expect(refused).toEqual([]);
  }, 90_000);
});
