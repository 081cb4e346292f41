import type { ContactJourneyState } from '@waymark/nodes';
import { schema } from '@waymark/runtime/db';
import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, type DatabaseKind, eventually, type TestRuntime } from '../support/runtime.ts';
import {
  type ChromiumSession,
  connectSteps,
  type DevMessage,
  designCanvas,
  devInboxMessage,
  dragTextBlockUnder,
  dropStep,
  editorDir,
  newJourney,
  openInInboxPage,
  poll,
  prepareEditor,
  recordPageErrors,
  saveTemplate,
  screenshot,
  signIn,
  startRuntimeAndChromium,
  typeCartGreeting,
} from './support.ts';

const kinds: DatabaseKind[] = ['pglite', 'postgres'];
const hour = 3_600_000;

/**
 * Lets `ms` pass for the journey's waiting runs: their times move that far into the past, as they would
 * read had the contact entered `ms` earlier. The runtime keeps the real clock; its scheduler wakes them.
 */
async function letTimePass(t: TestRuntime, journeyId: string, ms: number) {
  const { db } = t.runtime.services;
  const rows = await db.select().from(schema.journeyStates).where(eq(schema.journeyStates.journeyId, journeyId));
  for (const row of rows) {
    const state = row.state as unknown as ContactJourneyState;
    for (const run of state.runs) {
      run.startedAt -= ms;
      run.enteredAt -= ms;
      if (run.wakeAt !== undefined) run.wakeAt -= ms;
    }
    await db
      .update(schema.journeyStates)
      .set({
        state: state as unknown as Record<string, unknown>,
        wakeAt: row.wakeAt ? new Date(row.wakeAt.getTime() - ms) : null,
      })
      .where(and(eq(schema.journeyStates.journeyId, journeyId), eq(schema.journeyStates.contactId, row.contactId)));
  }
}

/**
 * The whole path a new user takes, by pointer and keyboard only: a template designed in GrapesJS, the
 * cart-abandonment journey built on the canvas with it, published, an event from the product's backend,
 * and the email in the development inbox as designed and merged.
 */
describe.each(kinds)('from an empty workspace to the email in the inbox, in Chromium on %s', (kind) => {
  const skip = backend(kind).skip;
  let session: ChromiumSession | undefined;
  let t: TestRuntime | undefined;
  let page: Page;
  let refused: string[] = [];

  // The editor is rebuilt first when its sources changed, which takes a while on a busy machine.
  beforeAll(async () => {
    if (skip) return;
    prepareEditor();
    // No smtpUrl: the runtime's own development SMTP sink catches the mail, as after `pnpm start`.
    session = await startRuntimeAndChromium(kind, { editorDir });
    ({ t, page, refused } = session);
  }, 180_000);

  afterAll(() => session?.close());

  const shot = (name: string) => screenshot(page, `end-to-end-${kind}-${name}`);
  const side = () => page.locator('.wm-side');
  const drop = (title: string, x: number, y: number) => dropStep(page, title, x, y);
  const connect = (from: string, to: string) => connectSteps(page, from, 'next', to);

  it.skipIf(skip)(
    'designs a template, builds and publishes the cart journey with it, and an event brings the email to the inbox',
    async () => {
      if (!t) throw new Error('runtime did not start');
      const errors = recordPageErrors(page);

      // Signed in from the link the runtime prints; the workspace is empty.
      await signIn(page, t);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Email templates' }).click();
      await page.getByText('No templates yet.', { exact: false }).waitFor();
      await shot('01-template-library');

      // A new template, designed in GrapesJS: a text block dragged in, text typed, a merge tag at the cursor.
      await page.getByLabel('Name of the new template').fill('Cart reminder');
      await page.getByRole('button', { name: 'New template' }).click();
      const starter = designCanvas(page).getByText('Hello', { exact: false });
      await starter.waitFor({ timeout: 20_000 });
      const templateId = decodeURIComponent(/#\/templates\/([^/?#]+)/.exec(page.url())?.[1] ?? '');
      expect(templateId).not.toBe('');

      const added = await dragTextBlockUnder(page, starter);
      await typeCartGreeting(page, added, 'friend');
      await page.getByLabel('Subject').fill('Your cart misses you');
      await saveTemplate(page);
      await shot('02-designer');

      // To the journeys, and a new journey from an empty canvas.
      await page.getByRole('button', { name: 'Back to templates' }).click();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Journeys' }).click();
      const journeyId = await newJourney(page, 'Cart abandonment');
      expect(journeyId).not.toBe('');

      // Steps dragged from the palette, settings filled in the side panel, ports connected by dragging.
      await drop('When an event happens', 200, 60);
      await side()
        .getByLabel(/^Event name/)
        .fill('cart_abandoned');
      await drop('Wait', 200, 180);
      await poll(() =>
        side()
          .getByLabel(/^Wait for/)
          .first()
          .inputValue(),
      ).toBe('1');
      await drop('Send email', 200, 300);
      await poll(() => side().getByRole('heading', { name: 'Send email' }).count()).toBe(1);
      await drop('Exit', 200, 420);
      await connect('event1', 'wait1');
      await connect('wait1', 'sendEmail1');
      await connect('sendEmail1', 'exit1');
      await poll(() => page.locator('.react-flow__edge').count()).toBe(3);

      // The email step has no template yet: the problem is shown and publishing waits.
      const publish = page.getByRole('button', { name: 'Publish' });
      const problem = page.locator('.wm-problems').getByRole('button', { name: /Template is required/ });
      await poll(() => problem.count()).toBe(1);
      await poll(() => publish.isDisabled()).toBe(true);
      await shot('03-journey-problem');

      // Pressing the problem opens the step; the template is chosen in the picker.
      await problem.click();
      await side().getByLabel('Choose a saved template').selectOption(templateId);
      await page.getByText('No problems: the journey is ready to publish.').waitFor();
      await poll(() => publish.isEnabled()).toBe(true);
      await publish.click();
      await page.getByText('Published version 1').waitFor();
      await shot('04-published');
      const live = await t.api<{ definition: { nodes: { type: string; config: Record<string, unknown> }[] } }>(
        'GET',
        `/v1/journeys/${journeyId}/versions/1`,
      );
      expect(live.body.definition.nodes.map((n) => n.type)).toEqual([
        'trigger.event',
        'flow.wait',
        'action.sendEmail',
        'flow.exit',
      ]);
      expect(live.body.definition.nodes[1]?.config).toEqual({ duration: 'PT1H' });
      expect(live.body.definition.nodes[2]?.config).toMatchObject({ template: templateId });

      // The product's backend reports the abandoned cart of a contact named Nia.
      const event = await t.api('POST', '/v1/events', {
        email: 'nia@example.com',
        event: 'cart_abandoned',
        attributes: { first_name: 'Nia' },
      });
      expect(event.status).toBe(202);

      // Nia waits an hour in the journey; when the hour has passed, the scheduler sends the email.
      await eventually(
        async () => {
          const rows = await t?.runtime.services.db
            .select()
            .from(schema.journeyStates)
            .where(eq(schema.journeyStates.journeyId, journeyId));
          return rows?.[0]?.wakeAt ? true : undefined;
        },
        20_000,
        'Nia waiting in the journey',
      );
      const early = await t.api<{ messages: DevMessage[] }>('GET', '/v1/dev/inbox');
      expect(early.body.messages).toEqual([]);
      await letTimePass(t, journeyId, hour);
      const delivered = await devInboxMessage(t, 'nia@example.com', 'the cart email in the development inbox');
      expect(delivered.subject).toBe('Your cart misses you');

      // The inbox page shows it as designed, with Nia's name merged.
      const { frame } = await openInInboxPage(page, t, 'Your cart misses you', 'Your cart is waiting, Nia!');
      const shown = await frame.locator('html').evaluate((el) => (el as unknown as { outerHTML: string }).outerHTML);
      expect(shown).toContain('Hello Nia,');
      expect(shown).not.toMatch(/data-gjs|gjs-|\sid="i[a-z0-9]{2,8}(-\d+)?"/);
      expect(shown).not.toContain('{{');
      expect(shown).not.toContain('fonts.googleapis');
      await shot('05-inbox');

      // What was sent, not only what the page shows, is free of the designer's traces and of web fonts.
      const sent = await t.api<{ html: string | null; text: string | null }>('GET', `/v1/dev/inbox/${delivered.id}`);
      expect(sent.body.html).toMatch(/Your cart is waiting,(\s|&nbsp;|&#160;)+Nia!/);
      expect(sent.body.html).not.toMatch(/data-gjs|gjs-|\sid="i[a-z0-9]{2,8}(-\d+)?"|<mj-|fonts\.googleapis/);
      expect(sent.body.text?.replace(/\s+/g, ' ')).toContain('Your cart is waiting, Nia!');

      expect(errors).toEqual([]);
      // Nothing left localhost: not the designer, the canvas, nor the sandboxed email frames.
      expect(refused).toEqual([]);
    },
    180_000,
  );
});
