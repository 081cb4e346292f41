import { testModelsDir } from '@waymark/models';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, type DatabaseKind, type TestRuntime } from '../support/runtime.ts';
import {
  type ChromiumSession,
  create,
  devInboxMessage,
  editorDir,
  newJourney,
  openInInboxPage,
  poll,
  prepareEditor,
  recordPageErrors,
  screenshot,
  signIn,
  startRuntimeAndChromium,
  stepNode,
} from './support.ts';

const welcome = {
  id: 'welcome',
  name: 'Welcome',
  subject: 'Welcome aboard',
  mjml: '<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{contact.first_name | default: "there"}}, welcome to Acme.</mj-text></mj-column></mj-section></mj-body></mjml>',
};

const kinds: DatabaseKind[] = ['pglite', 'postgres'];

describe.each(kinds)('from an event to the development inbox, in Chromium on %s', (kind) => {
  const skip = backend(kind).skip;
  let session: ChromiumSession | undefined;
  let t: TestRuntime | undefined;
  let page: Page;
  let refused: string[] = [];

  // The editor is rebuilt first when its sources changed, which takes a while on a busy machine.
  beforeAll(async () => {
    if (skip) return;
    prepareEditor();
    // No smtpUrl: mail goes to the runtime's development SMTP sink and its inbox page, as after `pnpm start`.
    session = await startRuntimeAndChromium(kind, { editorDir, modelsDir: testModelsDir });
    ({ t, page, refused } = session);
  }, 180_000);

  afterAll(() => session?.close());

  const shot = (name: string) => screenshot(page, `event-to-inbox-${kind}-${name}`);
  const side = () => page.locator('.wm-side');
  const node = (id: string) => stepNode(page, id);

  it.skipIf(skip)(
    'publishes a journey built in the editor; an event posted to the API lands in the inbox page',
    async () => {
      if (!t) throw new Error('runtime did not start');
      const errors = recordPageErrors(page);
      await create(t, '/v1/templates', welcome);

      await signIn(page, t);
      const journeyId = await newJourney(page, 'Welcome');

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
      await devInboxMessage(t, 'newcomer@example.com', 'the welcome email');
      // …and shown by the inbox page (same origin, same tab: it reads the signed-in token).
      const { message } = await openInInboxPage(page, t, subject, 'Hi Nia, welcome to Acme.');
      expect(await message.textContent()).toContain('newcomer@example.com');
      await shot('03-inbox');

      expect(errors).toEqual([]);
      expect(refused).toEqual([]);
    },
    120_000,
  );
});
