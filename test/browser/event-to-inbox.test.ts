import { join } from 'node:path';
import { testModelsDir } from '@waymark/models';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, type DatabaseKind, eventually, startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { artifacts, editorDir, launchChromium, onlyLocalhost, poll, prepareEditor } from './support.ts';

const welcome = {
  id: 'welcome',
  name: 'Welcome',
  subject: 'Welcome aboard',
  mjml: '<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{contact.first_name | default: "there"}}, welcome to Acme.</mj-text></mj-column></mj-section></mj-body></mjml>',
};

const kinds: DatabaseKind[] = ['pglite', 'postgres'];

describe.each(kinds)('from an event to the development inbox, in Chromium on %s', (kind) => {
  const skip = backend(kind).skip;
  let t: TestRuntime | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let page: Page;
  let refused: string[] = [];

  // The editor is rebuilt first when its sources changed, which takes a while on a busy machine.
  beforeAll(async () => {
    if (skip) return;
    prepareEditor();
    // No smtpUrl: mail goes to the runtime's development SMTP sink and its inbox page, as after `pnpm start`.
    const launched = await Promise.allSettled([
      startTestRuntime(kind, { editorDir, modelsDir: testModelsDir }),
      launchChromium(),
    ]);
    if (launched[0].status === 'fulfilled') t = launched[0].value;
    if (launched[1].status === 'fulfilled') browser = launched[1].value;
    for (const r of launched) if (r.status === 'rejected') throw r.reason;
    if (!browser) throw new Error('no browser');
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    refused = await onlyLocalhost(browser.context);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const shot = (name: string) => page.screenshot({ path: join(artifacts, `event-to-inbox-${kind}-${name}.png`) });
  const side = () => page.locator('.wm-side');
  const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

  it.skipIf(skip)(
    'publishes a journey built in the editor; an event posted to the API lands in the inbox page',
    async () => {
      if (!t) throw new Error('runtime did not start');
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      expect((await t.api('POST', '/v1/templates', welcome)).status).toBe(201);

      await page.goto(t.runtime.signInUrl);
      await page.waitForURL((url) => !url.hash.includes('token='));
      await page.getByLabel('Name of the new journey').fill('Welcome');
      await page.getByRole('button', { name: 'New journey' }).click();
      await page.getByText('Start by dragging a trigger here').waitFor();
      const journeyId = decodeURIComponent(/#\/journeys\/([^/?#]+)/.exec(page.url())?.[1] ?? '');

      // Steps added from the palette with a press; settings filled in the side panel.
      await page.getByRole('button', { name: 'Add When an event happens', exact: true }).click();
      await side()
        .getByLabel(/^Event name/)
        .fill('signed_up');
      await page.getByRole('button', { name: 'Add Send email', exact: true }).click();
      await poll(() => side().getByRole('heading', { name: 'Send email' }).count()).toBe(1);
      await side().getByLabel('Choose a saved template').selectOption('welcome');

      // The AI subject-lines panel of the email step writes scored subject lines with the test models;
      // the one chosen becomes the step's subject.
      const ai = side().getByRole('region', { name: 'AI subject lines' });
      await ai.getByLabel('What is the email about?').fill('a warm welcome to new Acme customers');
      await ai.getByRole('button', { name: 'Write subject lines' }).click();
      const variants = ai.getByRole('listitem');
      await variants.first().waitFor({ timeout: 30_000 });
      expect(await variants.first().locator('.wm-sentiment').textContent()).toMatch(
        /^Sentiment: (positive|neutral|negative) /,
      );
      const subject = (await variants.first().locator('.wm-ai-subject').textContent()) ?? '';
      expect(subject).not.toBe('');
      expect(subject).not.toBe(welcome.subject);
      await variants
        .first()
        .getByRole('button', { name: /^Use “/ })
        .click();
      await poll(() =>
        side()
          .getByLabel(/^Subject \(overrides/)
          .inputValue(),
      ).toBe(subject);
      await shot('01-ai-panel');

      // An exit, and the steps connected with the keyboard-friendly output pickers.
      await page.getByRole('button', { name: 'Add Exit', exact: true }).click();
      await node('sendEmail1').click();
      await side().getByLabel('Next →').selectOption('exit1');
      await node('event1').click();
      await side().getByLabel('Next →').selectOption('sendEmail1');
      await poll(() => page.locator('.react-flow__edge').count()).toBe(2);
      await page.getByText('No problems: the journey is ready to publish.').waitFor();
      const publish = page.getByRole('button', { name: 'Publish' });
      await poll(() => publish.isEnabled()).toBe(true);
      await publish.click();
      await page.getByText('Published version 1').waitFor();
      await shot('02-published');
      const live = await t.api<{ status: string; liveVersion: number }>('GET', `/v1/journeys/${journeyId}`);
      expect(live.body).toMatchObject({ status: 'active', liveVersion: 1 });

      // An event from the product's backend enters a new contact into the journey.
      const event = await t.api('POST', '/v1/events', {
        email: 'newcomer@example.com',
        event: 'signed_up',
        attributes: { first_name: 'Nia' },
      });
      expect(event.status).toBe(202);

      // Delivered to the development SMTP sink…
      await eventually(
        async () => {
          const r = await t?.api<{ messages: { envelope: { to: string[] } }[] }>('GET', '/v1/dev/inbox');
          return r?.body.messages.some((m) => m.envelope.to.includes('newcomer@example.com')) ? true : undefined;
        },
        20_000,
        'the welcome email',
      );
      // …and shown by the inbox page (same origin, same tab: it reads the signed-in token).
      await page.goto(`${t.url}/inbox`);
      const message = page.getByRole('option').filter({ hasText: subject });
      await poll(() => message.count()).toBe(1);
      expect(await message.textContent()).toContain('newcomer@example.com');
      await message.click();
      await page.getByRole('heading', { name: subject, level: 2 }).waitFor();
      const body = page.frameLocator(`iframe[title="HTML body of ${subject}"]`).locator('body');
      await poll(async () => ((await body.textContent()) ?? '').replace(/\s+/g, ' ')).toContain(
        'Hi Nia, welcome to Acme.',
      );
      await shot('03-inbox');

      expect(errors).toEqual([]);
      expect(refused).toEqual([]);
    },
    120_000,
  );
});
