import { join } from 'node:path';
import type { ContactJourneyState } from '@waymark/nodes';
import { schema } from '@waymark/runtime/db';
import { and, eq } from 'drizzle-orm';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, type DatabaseKind, eventually, startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { artifacts, editorDir, launchChromium, onlyLocalhost, poll, prepareEditor } from './support.ts';

type DevMessage = { id: number; subject: string | null; envelope: { to: string[] } };

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
  let t: TestRuntime | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let page: Page;
  let refused: string[] = [];

  // The editor is rebuilt first when its sources changed, which takes a while on a busy machine.
  beforeAll(async () => {
    if (skip) return;
    prepareEditor();
    // No smtpUrl: the runtime's own development SMTP sink catches the mail, as after `pnpm start`.
    const launched = await Promise.allSettled([startTestRuntime(kind, { editorDir }), launchChromium()]);
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

  const shot = (name: string) => page.screenshot({ path: join(artifacts, `end-to-end-${kind}-${name}.png`) });
  const designCanvas = () => page.frameLocator('.gjs-frame');
  const side = () => page.locator('.wm-side');
  const journeyCanvas = () => page.locator('.wm-canvas');
  const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

  async function centre(locator: Locator) {
    const box = await locator.boundingBox();
    if (!box) throw new Error('element is not visible');
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  }

  /** Drags a palette entry onto the journey canvas. */
  async function drop(title: string, x: number, y: number) {
    await page
      .getByRole('button', { name: `Add ${title}`, exact: true })
      .dragTo(journeyCanvas(), { targetPosition: { x, y } });
  }

  /** Drags from a step's output port to another step's input. */
  async function connect(from: string, to: string) {
    const a = await centre(node(from).locator('.react-flow__handle.source[data-handleid="next"]'));
    const b = await centre(node(to).locator('.react-flow__handle.target'));
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 });
    await page.mouse.move(b.x, b.y, { steps: 4 });
    await page.mouse.up();
  }

  it.skipIf(skip)(
    'designs a template, builds and publishes the cart journey with it, and an event brings the email to the inbox',
    async () => {
      if (!t) throw new Error('runtime did not start');
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));

      // Signed in from the link the runtime prints; the workspace is empty.
      await page.goto(t.runtime.signInUrl);
      await page.waitForURL((url) => !url.hash.includes('token='));
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Email templates' }).click();
      await page.getByText('No templates yet.', { exact: false }).waitFor();
      await shot('01-template-library');

      // A new template, designed in GrapesJS: a text block dragged in, text typed, a merge tag at the cursor.
      await page.getByLabel('Name of the new template').fill('Cart reminder');
      await page.getByRole('button', { name: 'New template' }).click();
      const starter = designCanvas().getByText('Hello', { exact: false });
      await starter.waitFor({ timeout: 20_000 });
      const templateId = decodeURIComponent(/#\/templates\/([^/?#]+)/.exec(page.url())?.[1] ?? '');
      expect(templateId).not.toBe('');

      const block = await centre(page.getByRole('button', { name: 'Add Text', exact: true }));
      const target = await starter.boundingBox();
      if (!target) throw new Error('the starter text is not visible');
      const dropAt = { x: target.x + 20, y: target.y + target.height - 3 };
      await page.mouse.move(block.x, block.y);
      await page.mouse.down();
      await page.mouse.move(block.x + 40, block.y + 10, { steps: 3 });
      await page.mouse.move(dropAt.x, dropAt.y - 20, { steps: 8 });
      await page.mouse.move(dropAt.x, dropAt.y, { steps: 4 });
      await page.mouse.up();
      const added = designCanvas().getByText('Insert text here', { exact: false });
      await added.waitFor({ timeout: 5000 });

      await page.getByLabel('Merge tag', { exact: true }).selectOption('first_name');
      await page.getByLabel('Fallback').fill('friend');
      await added.dblclick();
      await page.keyboard.press('Control+a');
      await page.keyboard.type('Your cart is waiting, !');
      await page.keyboard.press('ArrowLeft');
      await page.getByRole('button', { name: 'Insert merge tag' }).click();
      await poll(async () =>
        ((await designCanvas().locator('[data-gjs-type="mj-body"]').textContent()) ?? '').replace(/\s+/g, ' '),
      ).toContain('Your cart is waiting, {{contact.first_name | default: "friend"}}!');
      await page.getByLabel('Subject').fill('Your cart misses you');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Template saved').waitFor();
      await shot('02-designer');

      // To the journeys, and a new journey from an empty canvas.
      await page.getByRole('button', { name: 'Back to templates' }).click();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Journeys' }).click();
      await page.getByLabel('Name of the new journey').fill('Cart abandonment');
      await page.getByRole('button', { name: 'New journey' }).click();
      await page.getByText('Start by dragging a trigger here').waitFor();
      const journeyId = decodeURIComponent(/#\/journeys\/([^/?#]+)/.exec(page.url())?.[1] ?? '');
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
      const delivered = await eventually(
        async () => {
          const r = await t?.api<{ messages: DevMessage[] }>('GET', '/v1/dev/inbox');
          return r?.body.messages.find((m) => m.envelope.to.includes('nia@example.com'));
        },
        20_000,
        'the cart email in the development inbox',
      );
      expect(delivered.subject).toBe('Your cart misses you');

      // The inbox page shows it as designed, with Nia's name merged.
      await page.goto(`${t.url}/inbox`);
      const message = page.getByRole('option').filter({ hasText: 'Your cart misses you' });
      await poll(() => message.count()).toBe(1);
      await message.click();
      await page.getByRole('heading', { name: 'Your cart misses you', level: 2 }).waitFor();
      const frame = page.frameLocator('iframe[title="HTML body of Your cart misses you"]');
      await poll(async () => ((await frame.locator('body').textContent()) ?? '').replace(/\s+/g, ' ')).toContain(
        'Your cart is waiting, Nia!',
      );
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
