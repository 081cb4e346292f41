import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestRuntime } from '../support/runtime.ts';
import {
  type ChromiumSession,
  canvasCounts,
  create,
  editorDir,
  goToHash,
  poll,
  prepareEditor,
  publish,
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
  mjml: '<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-text></mj-column></mj-section></mj-body></mjml>',
};

/** Sign-up: a welcome email, then an A/B test whose variants leave through their own exits. */
const signUp = {
  schemaVersion: 1,
  settings: {},
  nodes: [
    { id: 'start', type: 'trigger.event', config: { event: 'signed_up' } },
    { id: 'mail', type: 'action.sendEmail', config: { template: 'welcome' } },
    {
      id: 'ab',
      type: 'flow.abTest',
      config: {
        variants: [
          { port: 'a', weight: 50 },
          { port: 'b', weight: 50 },
        ],
      },
    },
    { id: 'exitA', type: 'flow.exit', config: {} },
    { id: 'exitB', type: 'flow.exit', config: {} },
  ],
  edges: [
    { from: 'start', to: 'mail' },
    { from: 'mail', to: 'ab' },
    { from: 'ab', port: 'a', to: 'exitA' },
    { from: 'ab', port: 'b', to: 'exitB' },
  ],
};
const layout = {
  nodes: {
    start: { x: 200, y: 0 },
    mail: { x: 200, y: 150 },
    ab: { x: 200, y: 300 },
    exitA: { x: 0, y: 480 },
    exitB: { x: 400, y: 480 },
  },
};

type Draft = { definition: { nodes: { id: string; config: Record<string, unknown> }[]; edges: unknown[] } };

describe('editor audit fixes in Chromium', () => {
  let session: ChromiumSession | undefined;
  let t: TestRuntime | undefined;
  let page: Page;
  let refused: string[] = [];
  let errors: string[] = [];

  beforeAll(async () => {
    prepareEditor();
    session = await startRuntimeAndChromium('pglite', { editorDir });
    ({ t, page, refused } = session);
    await create(session.t, '/v1/templates', welcome);
    errors = recordPageErrors(page);
    await signIn(page, session.t);
  }, 180_000);

  afterAll(async () => {
    expect(errors).toEqual([]);
    expect(refused).toEqual([]);
    await session?.close();
  });

  const shot = (name: string) => screenshot(page, `audit-${name}`);
  const node = (id: string) => stepNode(page, id);
  const side = () => page.locator('.wm-side');
  const counts = () => canvasCounts(page);
  const runtime = () => {
    if (!t) throw new Error('runtime did not start');
    return t;
  };
  const api = <T>(method: string, path: string, body?: unknown) => runtime().api<T>(method, path, body);
  const go = (hash: string) => goToHash(page, hash);

  async function createJourney(id: string, definition: unknown) {
    await create(runtime(), '/v1/journeys', { id, name: `Journey ${id}`, definition, layout });
  }

  async function emptyCanvasSpot() {
    const box = await page.locator('.wm-canvas').boundingBox();
    if (!box) throw new Error('no canvas');
    return { x: box.x + 30, y: box.y + box.height - 30 };
  }

  it('keeps the draft safe from shortcuts in a viewed version and in simulation; shows the viewed step read only', async () => {
    await createJourney('readonly', signUp);
    await publish(runtime(), 'readonly');
    await go('#/journeys/readonly');
    await node('exitB').waitFor();

    // Delete a step of the draft; it autosaves.
    await node('exitB').click();
    await page.keyboard.press('Delete');
    await poll(counts).toEqual({ nodes: 4, edges: 3 });
    await page.getByText('All changes saved').waitFor();

    // View version 1: five steps, read only.
    await page.getByRole('button', { name: 'Versions' }).click();
    await side().getByRole('button', { name: 'View' }).click();
    await page.getByText('Viewing version 1 (read only)').waitFor();
    await poll(counts).toEqual({ nodes: 5, edges: 4 });
    await page.getByText('Version 1 as it was published.').waitFor();
    expect(await page.getByText('No problems: the journey is ready to publish.').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);

    // A step selected in the version (from the keyboard: focus it, Enter) shows its settings, disabled.
    await node('start').focus();
    await page.keyboard.press('Enter');
    const eventName = side().getByLabel(/^Event name/);
    await poll(() => eventName.inputValue()).toBe('signed_up');
    expect(await eventName.isDisabled()).toBe(true);
    expect(await side().getByLabel('Label on the canvas').isDisabled()).toBe(true);
    expect(await side().getByRole('button', { name: 'Delete step' }).count()).toBe(0);
    await shot('01-viewed-step');

    // Copy a step of the version (allowed), then the keys that change things do nothing here.
    await page.keyboard.press('Delete');
    const spot = await emptyCanvasSpot();
    await page.mouse.click(spot.x, spot.y);
    for (const key of ['Control+z', 'Control+Shift+z', 'Control+y', 'Control+v', 'Control+d', 'Control+Shift+l'])
      await page.keyboard.press(key);
    await node('mail').click();
    await page.keyboard.press('Delete');
    await page.keyboard.press('ArrowLeft');
    await poll(counts).toEqual({ nodes: 5, edges: 4 });

    // Back to the draft: the step is still deleted, on the canvas and on the server.
    await page.getByRole('button', { name: 'Back to the draft' }).click();
    await poll(counts).toEqual({ nodes: 4, edges: 3 });
    // The status can still read "saved" from before a change for a moment: the server's draft is polled.
    const draftIds = async () =>
      (await api<Draft>('GET', '/v1/journeys/readonly')).body.definition.nodes.map((n) => n.id);
    await poll(draftIds).not.toContain('exitB');

    // Undo brings it back in the draft; redo in simulation mode does not take it away again.
    await page.getByRole('button', { name: 'Versions' }).click();
    await page.getByRole('button', { name: 'Undo' }).click();
    await poll(counts).toEqual({ nodes: 5, edges: 4 });
    await page.getByText('All changes saved').waitFor();
    await page.getByRole('button', { name: 'Simulate' }).click();
    await page.mouse.click(spot.x, spot.y);
    await page.keyboard.press('Control+Shift+z');
    await page.keyboard.press('Control+z');
    await poll(counts).toEqual({ nodes: 5, edges: 4 });
    await page.getByRole('button', { name: 'Simulate' }).click();
    await poll(draftIds).toContain('exitB');
  }, 60_000);

  it('stacks every notice above the canvas, however many are showing', async () => {
    await createJourney('notices', signUp);
    await publish(runtime(), 'notices');
    await go('#/journeys/notices');
    await node('start').waitFor();
    // Three at once: "Copied 1 step(s)", the analytics status and the viewed version.
    await node('start').click();
    await page.keyboard.press('Control+c');
    await page.getByText('Copied 1 step(s)').waitFor();
    await page.getByRole('button', { name: 'Analytics' }).click();
    await page.getByText('Counts of live version 1').waitFor();
    await page.getByRole('button', { name: 'Versions' }).click();
    await side().getByRole('button', { name: 'View' }).click();
    await page.getByText('Viewing version 1 (read only)').waitFor();
    await poll(() => page.locator('.wm-editor > .wm-notice').count()).toBe(3);
    await shot('05-notices');

    const box = async (selector: string) => {
      const b = await page.locator(selector).first().boundingBox();
      if (!b) throw new Error(`${selector} is not shown`);
      return b;
    };
    const body = await box('.wm-editor > .wm-body');
    const editor = await box('.wm-editor');
    for (const notice of await page.locator('.wm-editor > .wm-notice').all()) {
      const b = await notice.boundingBox();
      expect(b && b.y + b.height).toBeLessThanOrEqual(body.y + 0.5);
    }
    // The canvas takes the rest of the editor's height, down to its bottom edge.
    expect(body.y + body.height).toBeCloseTo(editor.y + editor.height, 0);
    expect(body.height).toBeGreaterThan(200);
  }, 60_000);

  it('draws a connection from a missing port so it can be deleted, paints edge problems, and moves connections of renamed ports', async () => {
    // Loaded from JSON: the A/B test has no port "z", yet a connection leaves from it.
    await createJourney('ports', {
      ...signUp,
      nodes: [...signUp.nodes, { id: 'exitZ', type: 'flow.exit', config: {} }],
      edges: [...signUp.edges, { from: 'ab', port: 'z', to: 'exitZ' }],
    });
    await go('#/journeys/ports');
    await node('exitZ').waitFor();
    await poll(counts).toEqual({ nodes: 6, edges: 5 });
    const orphan = page.locator('.react-flow__edge[data-id="ab:z->exitZ"]');
    await poll(() => orphan.getAttribute('class')).toMatch(/wm-edge-problem/);
    expect(await node('ab').locator('.wm-handle-missing[data-handleid="z"]').count()).toBe(1);
    const problem = page.locator('.wm-problems .wm-problem[data-code="unknown_port"]');
    await poll(() => problem.count()).toBe(1);
    await shot('02-missing-port');

    // The connection can be selected and deleted; the problem goes with it.
    await orphan.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Delete');
    await poll(() => orphan.count()).toBe(0);
    await poll(() => problem.count()).toBe(0);

    // Renaming variant b to c in the form takes its connection along.
    await node('ab').click();
    const variant = side()
      .getByLabel(/^Variant name/)
      .nth(1);
    await variant.fill('c');
    await poll(() => page.locator('.react-flow__edge[data-id="ab:c->exitB"]').count()).toBe(1);
    expect(await page.locator('.react-flow__edge[data-id="ab:b->exitB"]').count()).toBe(0);
    expect(await page.locator('.wm-problems .wm-problem[data-code="unknown_port"]').count()).toBe(0);
    await page.getByText('All changes saved').waitFor();
    await poll(
      async () =>
        (
          await api<{ definition: { edges: { from: string; port?: string; to: string }[] } }>(
            'GET',
            '/v1/journeys/ports',
          )
        ).body.definition.edges,
    ).toContainEqual({ from: 'ab', port: 'c', to: 'exitB' });
    // One undo puts the port name and the connection back.
    await page.locator('.wm-canvas').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('Control+z');
    await poll(() => page.locator('.react-flow__edge[data-id="ab:b->exitB"]').count()).toBe(1);
  }, 60_000);

  it('creates a segment with a live preview, picks it in a segment trigger, and flags a template that does not exist', async () => {
    await api('POST', '/v1/contacts', {
      contacts: [
        { id: 'ann', email: 'ann@example.com', attributes: { plan: 'pro' } },
        { id: 'bob', email: 'bob@example.com', attributes: { plan: 'pro' } },
        { id: 'cy', email: 'cy@example.com', attributes: { plan: 'free' } },
      ],
    });
    await go('#/segments');
    await page.getByRole('link', { name: 'Segments' }).waitFor();
    // The link is in the navigation before the hash change reaches the router: wait for it to be current.
    await poll(() => page.getByRole('link', { name: 'Segments' }).getAttribute('aria-current')).toBe('page');
    await page.getByRole('button', { name: 'New segment' }).click();
    await page.getByLabel('Segment name').fill('Pro customers');
    await page.getByRole('button', { name: 'Add attribute rule' }).click();
    await page.getByLabel('Attribute').fill('plan');
    await page.getByLabel('Value', { exact: true }).fill('pro');
    await page.getByText('2 of 3 contacts match').waitFor();
    const sample = page.getByRole('list', { name: 'Some of them' });
    await poll(() => sample.locator('li').allTextContents()).toEqual(['ann@example.com', 'bob@example.com']);
    await shot('03-segment-preview');
    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.getByText('Saved the segment “Pro customers”').waitFor();
    await page.getByRole('cell', { name: 'pro-customers' }).waitFor();
    const saved = await api<{ segments: { id: string; name: string; condition: unknown }[] }>('GET', '/v1/segments');
    expect(saved.body.segments).toEqual([
      expect.objectContaining({
        id: 'pro-customers',
        name: 'Pro customers',
        condition: { attribute: 'plan', op: 'eq', value: 'pro' },
      }),
    ]);

    // A journey that starts from a segment: the picker shows names and stores the id.
    await createJourney('bysegment', {
      schemaVersion: 1,
      settings: {},
      nodes: [
        { id: 'start', type: 'trigger.segment', config: { segment: 'gone' } },
        { id: 'mail', type: 'action.sendEmail', config: { template: 'no-such-template' } },
        { id: 'exitA', type: 'flow.exit', config: {} },
      ],
      edges: [
        { from: 'start', to: 'mail' },
        { from: 'mail', to: 'exitA' },
      ],
    });
    await go('#/journeys/bysegment');
    await node('mail').waitFor();
    const problems = page.locator('.wm-problems');
    await problems.getByText('Segment “gone” does not exist').waitFor();
    await problems.getByText('Template “no-such-template” does not exist').waitFor();
    expect(await page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await node('start').click();
    const picker = side().getByLabel(/^Segment/);
    await poll(() => picker.locator('option').allTextContents()).toEqual([
      'Choose a segment…',
      'gone (does not exist)',
      'Pro customers',
    ]);
    await picker.selectOption({ label: 'Pro customers' });
    await poll(() => problems.getByText('Segment “gone” does not exist').count()).toBe(0);
    await node('mail').click();
    await side().getByLabel('Choose a saved template').selectOption({ label: 'Welcome' });
    await page.getByText('No problems: the journey is ready to publish.').waitFor();
    await page.getByText('All changes saved').waitFor();
    await poll(
      async () =>
        (await api<Draft>('GET', '/v1/journeys/bysegment')).body.definition.nodes.find((n) => n.id === 'start')?.config,
    ).toEqual({ segment: 'pro-customers' });
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Published version 1').waitFor();
  }, 60_000);

  it('names step cards, selects all with Ctrl+A, lists the shortcuts, and labels the canvas controls from strings', async () => {
    await createJourney('keys', signUp);
    await go('#/journeys/keys');
    await node('exitB').waitFor();
    expect(await node('mail').getAttribute('aria-label')).toBe('Send email');
    await page.getByRole('group', { name: 'Send email' }).waitFor();
    await page.getByRole('button', { name: 'Zoom in' }).waitFor();
    await page.getByRole('button', { name: 'Show the whole journey' }).waitFor();
    expect(await page.locator('.react-flow__minimap svg title').textContent()).toBe('Mini map');
    // The attribution stays visible but out of the tab order.
    const attribution = page.locator('.react-flow__attribution a');
    // The canvas takes it out of the tab order in an effect, after React Flow has drawn it.
    if ((await attribution.count()) > 0) await poll(() => attribution.getAttribute('tabindex')).toBe('-1');

    await node('start').click();
    await page.keyboard.press('Control+a');
    await poll(() => page.locator('.react-flow__node.selected').count()).toBe(5);
    await page.getByRole('status').filter({ hasText: '5 steps selected' }).waitFor();

    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    await help.getByRole('cell', { name: 'Select every step' }).waitFor();
    await shot('04-shortcuts');
    await page.keyboard.press('Escape');
    await poll(() => help.count()).toBe(0);
    await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
    await help.waitFor();
    await help.getByRole('button', { name: 'Close' }).click();
    await poll(() => help.count()).toBe(0);

    // The event-count box stays inside its rule.
    await page.getByRole('button', { name: 'Add Condition', exact: true }).click();
    await side().getByRole('button', { name: 'Add event rule' }).click();
    const count = side().getByLabel('Count', { exact: true });
    const rule = side().locator('.wm-rule').first();
    const [box, inner] = [await rule.boundingBox(), await count.boundingBox()];
    if (!box || !inner) throw new Error('rule not shown');
    expect(inner.x + inner.width).toBeLessThanOrEqual(box.x + box.width);
    await shot('05-event-rule');
  }, 60_000);

  it('keeps the focus in a new journey created with Enter, so the keyboard carries on there', async () => {
    await go('#/');
    const name = page.getByLabel('Name of the new journey');
    await name.fill('Made by keyboard');
    await name.press('Enter');
    await page.getByText('Start by dragging a trigger here').waitFor();
    const search = page.getByLabel('Search steps');
    await poll(() =>
      search.evaluate((el) => el === (el.getRootNode() as unknown as { activeElement: unknown }).activeElement),
    ).toBe(true);
    await page.keyboard.type('wait');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await poll(() => page.locator('.react-flow__node').count()).toBe(1);
  }, 60_000);
});
