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

/** Sign-up journey: pro contacts go into an A/B test, the others leave at once. */
const definition = {
  schemaVersion: 1,
  settings: {},
  nodes: [
    { id: 'start', type: 'trigger.event', config: { event: 'signed_up' } },
    { id: 'check', type: 'flow.condition', config: { if: { attribute: 'plan', op: 'eq', value: 'pro' } } },
    {
      id: 'ab',
      type: 'flow.abTest',
      config: {
        variants: [
          { port: 'a', weight: 50, label: 'Short' },
          { port: 'b', weight: 50, label: 'Long' },
        ],
      },
    },
    { id: 'exitA', type: 'flow.exit', config: {} },
    { id: 'exitB', type: 'flow.exit', config: {} },
    { id: 'exitNo', type: 'flow.exit', config: {} },
  ],
  edges: [
    { from: 'start', to: 'check' },
    { from: 'check', port: 'yes', to: 'ab' },
    { from: 'check', port: 'no', to: 'exitNo' },
    { from: 'ab', port: 'a', to: 'exitA' },
    { from: 'ab', port: 'b', to: 'exitB' },
  ],
};

/** A tidy layout, and a pile where every step sits almost on top of the others. */
const tidy = {
  nodes: {
    start: { x: 200, y: 0 },
    check: { x: 200, y: 150 },
    ab: { x: 40, y: 300 },
    exitNo: { x: 400, y: 300 },
    exitA: { x: 0, y: 480 },
    exitB: { x: 250, y: 480 },
  },
};
const pile = {
  nodes: Object.fromEntries(definition.nodes.map((n, i) => [n.id, { x: 100 + i * 12, y: 100 + i * 8 }])),
};

type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('canvas tools in Chromium', () => {
  let session: ChromiumSession | undefined;
  let t: TestRuntime | undefined;
  let page: Page;
  let refused: string[] = [];
  let errors: string[] = [];

  beforeAll(async () => {
    prepareEditor();
    session = await startRuntimeAndChromium('pglite', { editorDir });
    ({ t, page, refused } = session);
    errors = recordPageErrors(page);
    // Sign in once; the token stays in session storage for the journeys opened below.
    await signIn(page, session.t);
    // A stale editor is rebuilt first; with other suites building and starting at once that takes a while.
  }, 180_000);

  afterAll(() => session?.close());

  const shot = (name: string) => screenshot(page, `canvas-${name}`);
  const node = (id: string) => stepNode(page, id);
  const side = () => page.locator('.wm-side');
  const selectedIds = () =>
    page.locator('.react-flow__node.selected').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort());
  const counts = () => canvasCounts(page);

  async function createJourney(id: string, layout: unknown) {
    if (!t) throw new Error('runtime did not start');
    await create(t, '/v1/journeys', { id, name: `Journey ${id}`, definition, layout });
  }

  async function open(id: string) {
    await goToHash(page, `#/journeys/${id}`);
    await node('exitNo').waitFor();
    await poll(() => page.locator('.react-flow__node').count()).toBe(6);
  }

  async function boxes(): Promise<Map<string, Box>> {
    const out = new Map<string, Box>();
    for (const el of await page.locator('.react-flow__node').all()) {
      const box = await el.boundingBox();
      const id = await el.getAttribute('data-id');
      if (box && id) out.set(id, box);
    }
    return out;
  }

  it('selects several steps (Shift-click and Shift-drag box), copies, pastes, duplicates, deletes and undoes', async () => {
    await createJourney('tools', tidy);
    await open('tools');
    await poll(counts).toEqual({ nodes: 6, edges: 5 });

    // Shift-click adds to the selection.
    await node('check').click();
    await node('exitNo').click({ modifiers: ['Shift'] });
    await poll(selectedIds).toEqual(['check', 'exitNo']);
    await page.getByRole('status').filter({ hasText: '2 steps selected' }).waitFor();

    // Copy and paste: fresh ids, config kept, the connection between the two copied steps kept.
    await page.keyboard.press('Control+c');
    await page.getByText('Copied 2 step(s)').waitFor();
    await page.keyboard.press('Control+v');
    await poll(counts).toEqual({ nodes: 8, edges: 6 });
    await poll(selectedIds).toEqual(['condition1', 'exit1']);
    expect(await page.locator('.react-flow__edge[data-id="condition1:no->exit1"]').count()).toBe(1);
    expect(await node('condition1').textContent()).toContain('plan = pro');
    const original = await node('check').boundingBox();
    const copy = await node('condition1').boundingBox();
    expect(copy && original && copy.x > original.x && copy.y > original.y).toBe(true);
    await shot('01-pasted');

    // The pasted pair moves together when one of them is dragged.
    const before = await boxes();
    const grip = await node('condition1').locator('.wm-node-title').boundingBox();
    if (!grip) throw new Error('no title');
    await page.mouse.move(grip.x + 10, grip.y + 5);
    await page.mouse.down();
    await page.mouse.move(grip.x + 110, grip.y + 45, { steps: 6 });
    await page.mouse.up();
    // The canvas draws the last moves a render or two after the mouse is let go.
    const movedRight = async (id: string) => ((await node(id).boundingBox())?.x ?? 0) - (before.get(id)?.x ?? 0);
    for (const id of ['condition1', 'exit1']) await poll(() => movedRight(id)).toBeGreaterThan(50);
    expect((await boxes()).get('check')).toEqual(before.get('check'));

    // One undo takes the move back, the next the whole paste; redo brings the paste back.
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await poll(counts).toEqual({ nodes: 6, edges: 5 });
    await page.keyboard.press('Control+Shift+z');
    await poll(counts).toEqual({ nodes: 8, edges: 6 });

    // Delete a selection with the keyboard; undo restores both steps and their connection.
    await node('condition1').click();
    await node('exit1').click({ modifiers: ['Shift'] });
    await poll(selectedIds).toEqual(['condition1', 'exit1']);
    await page.keyboard.press('Delete');
    await poll(counts).toEqual({ nodes: 6, edges: 5 });
    await page.keyboard.press('Control+z');
    await poll(counts).toEqual({ nodes: 8, edges: 6 });
    await page.keyboard.press('Control+z');
    await poll(counts).toEqual({ nodes: 6, edges: 5 });

    // Shift-drag draws a selection box around the two bottom exits.
    const a = await node('exitA').boundingBox();
    const b = await node('exitB').boundingBox();
    if (!a || !b) throw new Error('exits not visible');
    await page.keyboard.down('Shift');
    await page.mouse.move(a.x - 20, a.y - 20);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width + 20, b.y + b.height + 20, { steps: 8 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await poll(selectedIds).toEqual(['exitA', 'exitB']);

    // Ctrl+D duplicates the selection, as the toolbar button does; one undo each.
    await page.keyboard.press('Control+d');
    await poll(counts).toEqual({ nodes: 8, edges: 5 });
    await page.getByRole('button', { name: 'Duplicate the selected steps' }).click();
    await poll(counts).toEqual({ nodes: 10, edges: 5 });
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('button', { name: 'Undo' }).click();
    await poll(counts).toEqual({ nodes: 6, edges: 5 });
    await page.getByText('All changes saved').waitFor();
    // The status read "saved" before the last undo too; the server's draft is what counts.
    await poll(
      async () =>
        (await t?.api<{ definition: { nodes: unknown[] } }>('GET', '/v1/journeys/tools'))?.body.definition.nodes,
    ).toHaveLength(6);
  }, 60_000);

  it('tidies a pile of overlapping steps with auto-layout, branches in port order, undoably', async () => {
    await createJourney('pile', pile);
    await open('pile');
    const piled = await boxes();
    expect(overlap(piled.get('start') as Box, piled.get('check') as Box)).toBe(true);
    await shot('02-pile');

    await page.getByRole('button', { name: 'Tidy up the layout' }).click();
    const laidOut = async () => {
      const b = await boxes();
      const list = [...b.values()];
      for (let i = 0; i < list.length; i++)
        for (let j = i + 1; j < list.length; j++) if (overlap(list[i] as Box, list[j] as Box)) return false;
      return list.length === 6;
    };
    await poll(laidOut).toBe(true);
    const b = await boxes();
    const at = (id: string) => b.get(id) as Box;
    // Top to bottom, yes (the A/B test) left of no, variant a left of b.
    expect(at('check').y).toBeGreaterThan(at('start').y);
    expect(at('ab').y).toBeGreaterThan(at('check').y);
    expect(at('ab').x).toBeLessThan(at('exitNo').x);
    expect(at('exitA').x).toBeLessThan(at('exitB').x);
    await shot('03-laid-out');

    // The keyboard shortcut does the same; one undo returns to the pile.
    await page.keyboard.press('Control+z');
    await poll(laidOut).toBe(false);
    await page.locator('.wm-canvas .react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+Shift+l');
    await poll(laidOut).toBe(true);
    await page.getByText('All changes saved').waitFor();
    // What the server keeps is the tidied layout, not the pile (whose steps sit 8px apart, top to bottom).
    const savedLayout = async () =>
      (await t?.api<{ layout: { nodes: Record<string, { x: number; y: number }> } }>('GET', '/v1/journeys/pile'))?.body
        .layout.nodes ?? {};
    await poll(async () => {
      const n = await savedLayout();
      const y = (id: string) => n[id]?.y ?? 0;
      return y('check') - y('start') > 40 && y('ab') - y('check') > 40;
    }).toBe(true);
    const n = await savedLayout();
    expect(n.exitA?.x).toBeLessThan(n.exitB?.x ?? 0);
    expect(n.ab?.x).toBeLessThan(n.exitNo?.x ?? 0);
  }, 60_000);

  it('compares the draft with the live version and paints the changes', async () => {
    if (!t) throw new Error('runtime did not start');
    await createJourney('live', tidy);
    await publish(t, 'live');
    await open('live');

    // Change the condition's value and remove the no-branch's exit.
    await node('check').click();
    await side().getByLabel('Value', { exact: true }).fill('enterprise');
    await node('exitNo').click();
    await page.keyboard.press('Delete');
    await poll(counts).toEqual({ nodes: 5, edges: 4 });

    await page.getByRole('button', { name: 'Versions' }).click();
    await side().getByRole('button', { name: 'Compare with live' }).click();
    await side().getByText('Draft compared with live version 1').waitFor();
    const changed = side().locator('li[data-node="check"]');
    await poll(() => changed.getAttribute('data-kind')).toBe('changed');
    expect(await changed.textContent()).toContain('settings changed');
    expect(await side().locator('li[data-node="exitNo"]').getAttribute('data-kind')).toBe('removed');
    expect(await side().locator('li[data-edge="check:no->exitNo"]').getAttribute('data-kind')).toBe('removed');
    await poll(() => node('check').locator('.wm-node').getAttribute('class')).toMatch(/wm-diff-changed/);
    expect(await node('check').locator('.wm-diff-badge').textContent()).toBe('changed');
    expect(await node('start').locator('.wm-diff-badge').count()).toBe(0);

    // A step pasted now shows up as added, in the list and on the canvas.
    await node('exitA').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await poll(() => side().locator('li[data-node="exit1"]').getAttribute('data-kind')).toBe('added');
    await poll(() => node('exit1').locator('.wm-node').getAttribute('class')).toMatch(/wm-diff-added/);
    await shot('04-compare');

    // Stopping the comparison clears the marks.
    await side().getByRole('button', { name: 'Stop comparing' }).click();
    await poll(() => page.locator('.wm-diff-badge').count()).toBe(0);
  }, 60_000);

  it('shows the live counts on steps, connections and A/B variants, refreshing while on', async () => {
    if (!t) throw new Error('runtime did not start');
    await createJourney('counted', tidy);
    await publish(t, 'counted');
    await t.api('POST', '/v1/contacts', {
      contacts: [
        { id: 'ann', email: 'ann@example.com', attributes: { plan: 'pro' } },
        { id: 'bob', email: 'bob@example.com', attributes: { plan: 'free' } },
      ],
    });
    expect((await t.api('POST', '/v1/events', { contactId: 'ann', event: 'signed_up' })).status).toBe(202);
    const stats = async () =>
      (await t?.api<{ nodes: Record<string, Record<string, number>> }>('GET', '/v1/journeys/counted/stats'))?.body
        .nodes ?? {};
    await expect.poll(async () => (await stats()).ab?.left ?? 0, { timeout: 15_000 }).toBe(1);

    await open('counted');
    // Off by default.
    expect(await page.locator('.wm-node-stats').count()).toBe(0);
    await page.getByRole('button', { name: 'Analytics' }).click();
    await page.getByText('Counts of live version 1').waitFor();
    const entered = (id: string) => node(id).locator('[data-stat="entered"] dd');
    await poll(() => entered('start').textContent()).toBe('1');
    expect(await entered('check').textContent()).toBe('1');
    expect(await entered('ab').textContent()).toBe('1');
    // The connection Ann took is labelled with 1; the no branch with 0.
    await poll(() =>
      page.locator('.react-flow__edge[data-id="check:yes->ab"] .react-flow__edge-text').textContent(),
    ).toBe('1');
    expect(
      await page.locator('.react-flow__edge[data-id="check:no->exitNo"] .react-flow__edge-text').textContent(),
    ).toBe('0');
    // The A/B card lists both variants, the one Ann was sent down with 1 entered.
    const rows = node('ab').locator('table.wm-variants tbody tr');
    await poll(() => rows.count()).toBe(2);
    const trials = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector('td')?.textContent));
    expect(trials.sort()).toEqual(['0', '1']);

    // Bob's sign-up is counted on the next refresh, with the overlay left on.
    expect((await t.api('POST', '/v1/events', { contactId: 'bob', event: 'signed_up' })).status).toBe(202);
    await expect.poll(() => entered('start').textContent(), { timeout: 20_000, interval: 250 }).toBe('2');
    await poll(() =>
      page.locator('.react-flow__edge[data-id="check:no->exitNo"] .react-flow__edge-text').textContent(),
    ).toBe('1');
    await shot('05-analytics');

    await page.getByRole('button', { name: 'Analytics' }).click();
    await poll(() => page.locator('.wm-node-stats').count()).toBe(0);

    expect(errors).toEqual([]);
    expect(refused).toEqual([]);
  }, 60_000);
});
