import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartTemplates } from '../support/journeys.ts';
import type { TestRuntime } from '../support/runtime.ts';
import {
  type ChromiumSession,
  canvasCounts,
  centre,
  connectSteps,
  create,
  dropStep,
  editorDir,
  poll,
  prepareEditor,
  recordPageErrors,
  root,
  screenshot,
  signIn,
  startRuntimeAndChromium,
  stepNode,
} from './support.ts';

/** The cart-abandonment journey of JOURNEY-FORMAT.md, as the editor names its steps. */
const expected = {
  nodes: [
    { id: 'event1', type: 'trigger.event', config: { event: 'cart_abandoned' } },
    { id: 'wait1', type: 'flow.wait', config: { duration: 'PT1H' } },
    { id: 'sendEmail1', type: 'action.sendEmail', config: { template: 'cart-reminder' } },
    { id: 'waitForEvent1', type: 'flow.waitForEvent', config: { event: 'order_completed', timeout: 'P1D' } },
    { id: 'condition1', type: 'flow.condition', config: { if: { attribute: 'plan', op: 'eq', value: 'pro' } } },
    { id: 'sendEmail2', type: 'action.sendEmail', config: { template: 'cart-coupon' } },
    { id: 'exit1', type: 'flow.exit', config: {} },
  ],
  edges: [
    { from: 'event1', to: 'wait1' },
    { from: 'wait1', to: 'sendEmail1' },
    { from: 'sendEmail1', to: 'waitForEvent1' },
    { from: 'waitForEvent1', port: 'event', to: 'exit1' },
    { from: 'waitForEvent1', port: 'timeout', to: 'condition1' },
    { from: 'condition1', port: 'yes', to: 'sendEmail2' },
    { from: 'condition1', port: 'no', to: 'exit1' },
    { from: 'sendEmail2', to: 'exit1' },
  ],
};

const classOf = async (locator: Locator) => (await locator.getAttribute('class')) ?? '';
type StyleWindow = { getComputedStyle(element: unknown): { backgroundColor: string } };
const backgroundOf = (locator: Locator) =>
  locator.evaluate((el) => (globalThis as unknown as StyleWindow).getComputedStyle(el).backgroundColor);

type Edge = { from: string; port?: string; to: string };
const edgeKey = (e: Edge) => `${e.from}:${e.port ?? 'next'}->${e.to}`;
const sortedEdges = (edges: Edge[]) => edges.map(edgeKey).sort();

describe('journey editor in Chromium', () => {
  let session: ChromiumSession | undefined;
  let t: TestRuntime | undefined;
  let page: Page;
  let refused: string[] = [];

  beforeAll(async () => {
    prepareEditor();
    session = await startRuntimeAndChromium('pglite', { editorDir });
    ({ t, page, refused } = session);
    // The journey built below sends these; publishing refuses templates the workspace does not have.
    for (const template of cartTemplates) await create(session.t, '/v1/templates', template);
  }, 60_000);

  afterAll(() => session?.close());

  const shot = (name: string) => screenshot(page, `editor-${name}`);
  const side = () => page.locator('.wm-side');
  const node = (id: string) => stepNode(page, id);
  const canvas = () => page.locator('.wm-canvas');
  const drop = (title: string, x: number, y: number) => dropStep(page, title, x, y);
  const connect = (from: string, port: string, to: string) => connectSteps(page, from, port, to);
  const counts = () => canvasCounts(page);

  it('builds the cart-abandonment journey from an empty canvas, fixes a problem, publishes, undoes and redoes', async () => {
    if (!t) throw new Error('runtime did not start');
    const api = t.api;
    const errors = recordPageErrors(page);

    // A new user follows the sign-in link; the token moves from the URL into session storage.
    await signIn(page, t);
    await page.getByLabel('Name of the new journey').fill('Cart abandonment');
    await shot('01-journeys');
    await page.getByRole('button', { name: 'New journey' }).click();
    await page.getByText('Start by dragging a trigger here').waitFor();
    const journeyId = decodeURIComponent(/#\/journeys\/([^/?#]+)/.exec(page.url())?.[1] ?? '');
    expect(journeyId).not.toBe('');
    await shot('02-empty-canvas');

    // Steps are dragged from the palette; each opens its settings panel when dropped.
    await drop('When an event happens', 150, 50);
    await side()
      .getByLabel(/^Event name/)
      .fill('cart_abandoned');
    await drop('Wait', 150, 170);
    await poll(() =>
      side()
        .getByLabel(/^Wait for/)
        .first()
        .inputValue(),
    ).toBe('1');
    await drop('Send email', 150, 290);
    await side()
      .getByLabel(/^Template/)
      .fill('cart-reminder');
    await drop('Wait for event', 150, 410);
    await side()
      .getByLabel(/^Event name/)
      .fill('order_completed');
    await side().getByLabel('Give up after (Unit)').selectOption('days');
    await drop('Condition', 430, 530);
    await side().getByRole('button', { name: 'Add attribute rule' }).click();
    await side().getByLabel('Attribute').fill('plan');
    await side().getByLabel('Value', { exact: true }).fill('pro');
    await drop('Send email', 430, 650);
    await drop('Exit', 150, 650);
    await poll(() => node('condition1').textContent()).toContain('plan = pro');
    await poll(() => node('waitForEvent1').textContent()).toContain('order_completed · 1 day');

    // Ports are connected by dragging from an output handle to a step.
    for (const e of expected.edges) await connect(e.from, e.port ?? 'next', e.to);
    await poll(counts).toEqual({ nodes: 7, edges: 8 });

    // The second email has no template yet: the problem is painted on the step and listed; publish waits.
    const publish = page.getByRole('button', { name: 'Publish' });
    await poll(() => classOf(node('sendEmail2').locator('.wm-node'))).toMatch(/wm-has-problems/);
    const problem = page.locator('.wm-problems').getByRole('button', { name: /Template is required/ });
    await poll(() => problem.count()).toBe(1);
    await poll(() => page.locator('.wm-problems .wm-problem').count()).toBe(1);
    await poll(() => publish.isDisabled()).toBe(true);
    await shot('03-problem');

    // Pressing the problem selects the step; filling the field fixes it.
    await problem.click();
    await poll(() => classOf(node('sendEmail2'))).toMatch(/selected/);
    await side()
      .getByLabel(/^Template/)
      .fill('cart-coupon');
    await page.getByText('No problems: the journey is ready to publish.').waitFor();
    await poll(() => classOf(node('sendEmail2').locator('.wm-node'))).not.toMatch(/wm-has-problems/);
    await page.getByRole('button', { name: 'Zoom to fit' }).click();
    await page.getByText('All changes saved').waitFor();
    await shot('04-built');

    await poll(() => publish.isEnabled()).toBe(true);
    await publish.click();
    await page.getByText('Published version 1').waitFor();
    await shot('05-published');

    // What went live is the cart-abandonment journey.
    const v1 = await api<{ definition: { nodes: unknown[]; edges: Edge[] } }>(
      'GET',
      `/v1/journeys/${journeyId}/versions/1`,
    );
    expect(v1.status).toBe(200);
    expect(v1.body.definition.nodes).toEqual(expected.nodes.map((n) => ({ ...n, typeVersion: 1 })));
    expect(sortedEdges(v1.body.definition.edges)).toEqual(sortedEdges(expected.edges));

    // Undo and redo: delete the exit with the keyboard, undo restores it and its three connections.
    await node('exit1').click();
    await page.keyboard.press('Delete');
    await poll(counts).toEqual({ nodes: 6, edges: 5 });
    await page.keyboard.press('Control+z');
    await poll(counts).toEqual({ nodes: 7, edges: 8 });
    await page.keyboard.press('Control+Shift+z');
    await poll(counts).toEqual({ nodes: 6, edges: 5 });
    await page.getByRole('button', { name: 'Undo' }).click();
    await poll(counts).toEqual({ nodes: 7, edges: 8 });

    // A step dropped on a connection goes in between; one undo takes it out again.
    const edge = await centre(page.locator('.react-flow__edge[data-id="waitForEvent1:timeout->condition1"]'));
    const box = await canvas().boundingBox();
    if (!box) throw new Error('no canvas');
    await page
      .getByRole('button', { name: 'Add Wait', exact: true })
      .dragTo(canvas(), { targetPosition: { x: edge.x - box.x, y: edge.y - box.y } });
    await poll(counts).toEqual({ nodes: 8, edges: 9 });
    await poll(() => page.locator('.react-flow__edge[data-id="wait2:next->condition1"]').count()).toBe(1);
    await page.keyboard.press('Control+z');
    await poll(counts).toEqual({ nodes: 7, edges: 8 });
    await page.getByText('All changes saved').waitFor();
    // The status read "saved" before the undo too, until the change reached it: poll the server's draft.
    await poll(async () => {
      const draft = await api<{ definition: { nodes: unknown[]; edges: Edge[] } }>('GET', `/v1/journeys/${journeyId}`);
      return { nodes: draft.body.definition.nodes, edges: sortedEdges(draft.body.definition.edges) };
    }).toEqual({ nodes: v1.body.definition.nodes, edges: sortedEdges(expected.edges) });

    // A reload loses nothing.
    await page.reload();
    await node('exit1').waitFor();
    await poll(counts).toEqual({ nodes: 7, edges: 8 });

    // The simulation runs a free-plan contact through: reminder, timeout, no coupon, exit.
    await page.getByRole('button', { name: 'Simulate' }).click();
    await poll(() => side().getByLabel('Event name').inputValue()).toBe('cart_abandoned');
    await side().getByRole('button', { name: 'Run simulation' }).click();
    const rows = side().locator('table.wm-steps tbody tr');
    await poll(() => rows.count()).toBe(6);
    const visited: (string | null)[] = [];
    for (let i = 0; i < 6; i++) visited.push(await rows.nth(i).getAttribute('data-node'));
    expect(visited).toEqual(['event1', 'wait1', 'sendEmail1', 'waitForEvent1', 'condition1', 'exit1']);
    expect(await rows.nth(2).textContent()).toContain('cart-reminder');
    expect(await rows.nth(3).textContent()).toContain('via Timeout');
    await poll(() => page.locator('.wm-node.wm-visited').count()).toBe(6);
    expect(await classOf(node('sendEmail2').locator('.wm-node'))).toMatch(/wm-not-visited/);
    await shot('06-simulation');

    expect(errors).toEqual([]);
    expect(refused).toEqual([]);
  }, 60_000);

  it('embeds as a custom element in a plain HTML page, styles isolated both ways, themed and relabelled by the host', async () => {
    if (!t) throw new Error('runtime did not start');
    const layout = {
      nodes: Object.fromEntries(expected.nodes.map((n, i) => [n.id, { x: (i % 2) * 260, y: i * 110 }])),
    };
    const created = await create<{ id: string }>(t, '/v1/journeys', {
      name: 'Embedded cart journey',
      definition: { schemaVersion: 1, settings: {}, nodes: expected.nodes, edges: expected.edges },
      layout,
    });
    const token = await create<{ token: string }>(t, '/v1/editor-tokens', { journeyId: created.body.id });

    // The host page is served from the runtime's origin here; another origin would need WAYMARK_EMBED_ORIGINS.
    const hostUrl = `${t.url}/examples/embed-host/`;
    await page.route(hostUrl, (route) =>
      route.fulfill({ contentType: 'text/html', body: readFileSync(join(root, 'examples/embed-host/index.html')) }),
    );
    const settings = new URLSearchParams({ api: t.url, token: token.body.token, journey: created.body.id });
    await page.goto(`${hostUrl}#${settings}`);
    const editor = page.locator('waymark-journey-editor');
    await poll(() => editor.locator('.react-flow__node').count()).toBe(7);
    await poll(() => editor.locator('.react-flow__edge').count()).toBe(8);

    const hotpink = 'rgb(255, 105, 180)';
    expect(await backgroundOf(page.getByRole('button', { name: 'Open the editor' }))).toBe(hotpink);
    expect(await backgroundOf(editor.getByRole('button', { name: 'Versions' }))).not.toBe(hotpink);
    // The host's strings and accent colour reach the editor.
    const publish = editor.getByRole('button', { name: 'Go live' });
    expect(await backgroundOf(publish)).toBe('rgb(15, 118, 110)');

    await editor.locator('.react-flow__node[data-id="wait1"]').click();
    await editor.getByLabel('Label on the canvas').fill('Give them an hour');
    await poll(() => page.locator('#log').textContent()).toContain('changed: 7 steps, 0 problem(s)');
    await poll(() => editor.locator('.react-flow__node[data-id="wait1"]').textContent()).toContain('Give them an hour');
    await publish.click();
    await poll(() => page.locator('#log').textContent()).toContain('published version 1');
    await shot('07-embedded');
  }, 30_000);
});
