import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { readConfig } from '@waymark/runtime';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestRuntime } from '../support/runtime.ts';
import {
  type ChromiumSession,
  create,
  editorDir,
  newJourney,
  poll,
  prepareEditor,
  publish,
  recordPageErrors,
  root,
  screenshot,
  signIn,
  startRuntimeAndChromium,
} from './support.ts';

const examplePackage = join(root, 'examples/node-package-slack');

/** Every file of a folder, recursively. */
function filesOf(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesOf(path) : [path];
  });
}

interface NodeTypeDescription {
  type: string;
  version: number;
  title: string;
  description: string;
  icon: string;
}

describe('a custom node package in the editor (Chromium)', () => {
  let session: ChromiumSession | undefined;
  let t: TestRuntime | undefined;
  let page: Page;
  let refused: string[] = [];

  beforeAll(async () => {
    prepareEditor();
    // The runtime reads the package from a config file elsewhere, by a path relative to that file.
    const deploy = mkdtempSync(join(tmpdir(), 'waymark-deploy-'));
    writeFileSync(
      join(deploy, 'waymark.config.json'),
      JSON.stringify({ nodePackages: [relative(deploy, examplePackage)] }),
    );
    const config = readConfig({ WAYMARK_CONFIG: join(deploy, 'waymark.config.json') }, root);
    session = await startRuntimeAndChromium('pglite', {
      editorDir,
      nodePackages: config.nodePackages,
      nodePackagesDir: config.nodePackagesDir,
    });
    ({ t, page, refused } = session);
  }, 120_000);

  afterAll(() => session?.close());

  const side = () => page.locator('.wm-side');
  const shot = (name: string) => screenshot(page, `node-package-${name}`);

  it('offers the package node in the palette, builds its form from its schema, and keeps what is saved', async () => {
    if (!t) throw new Error('runtime did not start');
    const errors = recordPageErrors(page);

    // The editor knows the node only from the runtime: nothing of the package is in its bundle.
    const types = await t.api<{ nodeTypes: NodeTypeDescription[] }>('GET', '/v1/node-types');
    const slack = types.body.nodeTypes.find((n) => n.type === 'acme.slackNotify' && n.version === 2);
    if (!slack) throw new Error('the runtime did not load the example package');
    expect(slack.icon).toMatch(/^data:image\/svg\+xml,/);
    for (const file of filesOf(editorDir)) {
      const text = readFileSync(file, 'utf8');
      expect(text.includes('acme.slackNotify') || text.includes(slack.icon), file).toBe(false);
    }

    await signIn(page, t);
    const journeyId = await newJourney(page, 'Sales alerts');

    // The palette shows the newest version with its title, description and the package's own icon.
    const item = page.getByRole('button', { name: `Add ${slack.title}`, exact: true });
    await item.waitFor();
    expect(await item.getAttribute('title')).toBe(slack.description);
    expect(await item.locator('.wm-palette-title').textContent()).toBe('Notify Slack');
    expect(await item.locator('.wm-palette-desc').textContent()).toBe(slack.description);
    const icon = item.locator('.wm-node-icon img');
    expect(await icon.getAttribute('src')).toBe(slack.icon);
    // The browser really drew it (a broken image has no natural width).
    await poll(() => icon.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(
      0,
    );
    // The discount code node names an icon of the editor's set.
    const discount = page.getByRole('button', { name: 'Add Discount code', exact: true });
    await discount.waitFor();
    expect(await discount.locator('.wm-node-icon svg.lucide-ticket-percent').count()).toBe(1);
    await shot('01-palette');

    // Dropped on the canvas, it opens a form generated from its JSON Schema.
    await item.dragTo(page.locator('.wm-canvas'), { targetPosition: { x: 300, y: 200 } });
    const node = page.locator('.react-flow__node').filter({ hasText: 'Notify Slack' });
    await node.waitFor();
    expect(await node.locator('.wm-node-icon img').getAttribute('src')).toBe(slack.icon);
    const channel = side().getByLabel(/^Channel/);
    const text = side().getByLabel(/^Text/);
    const mention = side().getByLabel(/^Mention/);
    await channel.waitFor();
    expect(await text.evaluate((el) => (el as unknown as { tagName: string }).tagName)).toBe('TEXTAREA');
    const chosen = (select: typeof mention) => select.locator('option:checked').textContent();
    expect(await chosen(mention)).toBe('none');
    expect(await mention.locator('option').allTextContents()).toEqual(['none', 'here', 'channel']);

    // A value the schema refuses is shown on the field; a good one clears it.
    await channel.fill('Sales Team');
    await poll(() => channel.getAttribute('aria-invalid')).toBe('true');
    // In the package's own words (its zod message travels in the JSON Schema), not the bare pattern.
    expect(await side().textContent()).toContain('Channel — must be a Slack channel such as #sales');
    expect(await side().textContent()).not.toContain('must match pattern');
    await channel.fill('#sales');
    await text.fill('New signup {{ contact.email }}');
    await mention.selectOption({ label: 'here' });
    await poll(() => side().getByText('must be a Slack channel such as #sales').count()).toBe(0);
    await page.getByText('All changes saved').waitFor();
    await shot('02-form');

    // Saved in the draft as version 2 of the type with the config as entered (the status read "saved"
    // before the last change too, until the change reached it: the server's draft is polled).
    await poll(async () =>
      (
        await t?.api<{ definition: { nodes: { type: string; typeVersion?: number; config: unknown }[] } }>(
          'GET',
          `/v1/journeys/${journeyId}`,
        )
      )?.body.definition.nodes.find((n) => n.type === 'acme.slackNotify'),
    ).toMatchObject({
      typeVersion: 2,
      config: { channel: '#sales', text: 'New signup {{ contact.email }}', mention: 'here' },
    });

    // After a reload the form shows what was saved.
    await page.reload();
    await node.waitFor();
    await node.click();
    await poll(() =>
      side()
        .getByLabel(/^Channel/)
        .inputValue(),
    ).toBe('#sales');
    expect(await side().getByLabel(/^Text/).inputValue()).toBe('New signup {{ contact.email }}');
    expect(await chosen(side().getByLabel(/^Mention/))).toBe('here');
    await shot('03-reloaded');

    expect(errors).toEqual([]);
    expect(refused).toEqual([]);
  }, 90_000);

  it('upgrades a version 1 Slack step to version 2 from its panel, by keyboard, through the package migration', async () => {
    if (!t) throw new Error('runtime did not start');
    const errors = recordPageErrors(page);
    const definition = {
      schemaVersion: 1,
      id: 'billing-alerts',
      nodes: [
        { id: 'start', type: 'trigger.event', config: { event: 'upgraded' } },
        {
          id: 'slack',
          type: 'acme.slackNotify',
          typeVersion: 1,
          config: { channel: '#billing', message: 'Upgrade by {{ contact.email }}' },
        },
        { id: 'done', type: 'flow.exit', config: {} },
      ],
      edges: [
        { from: 'start', to: 'slack' },
        { from: 'slack', to: 'done' },
        { from: 'slack', port: 'failed', to: 'done' },
      ],
    };
    await create(t, '/v1/journeys', { id: 'billing-alerts', name: 'Billing alerts', definition });
    await publish(t, 'billing-alerts');

    const url = new URL(page.url());
    url.hash = '#/journeys/billing-alerts';
    await page.goto(url.toString());
    const node = page.locator('.react-flow__node[data-id="slack"]');
    await node.waitFor();
    await node.click();
    // Version 1's form, and the way up.
    await side()
      .getByLabel(/^Message/)
      .waitFor();
    const upgrade = side().getByRole('button', { name: 'Upgrade to v2' });
    await upgrade.waitFor();
    await shot('04-upgrade-offered');
    await upgrade.focus();
    await page.keyboard.press('Enter');

    await page.getByRole('status').filter({ hasText: 'Upgraded the step to version 2' }).waitFor();
    // Version 2's form, filled by the migration: message became text, no mention.
    await poll(() => side().getByLabel(/^Text/).inputValue()).toBe('Upgrade by {{ contact.email }}');
    expect(
      await side()
        .getByLabel(/^Channel/)
        .inputValue(),
    ).toBe('#billing');
    expect(
      await side()
        .getByLabel(/^Mention/)
        .locator('option:checked')
        .textContent(),
    ).toBe('none');
    expect(
      await side()
        .getByRole('button', { name: /^Upgrade to/ })
        .count(),
    ).toBe(0);
    await page.getByText('All changes saved').waitFor();
    await shot('05-upgraded');

    // The saved draft is version 2; the published version 1 is as it was.
    await poll(async () => {
      const draft = await t?.api<{ definition: { nodes: { id: string }[] }; upgrades: unknown[] }>(
        'GET',
        '/v1/journeys/billing-alerts',
      );
      return { slack: draft?.body.definition.nodes.find((n) => n.id === 'slack'), upgrades: draft?.body.upgrades };
    }).toEqual({
      slack: {
        id: 'slack',
        type: 'acme.slackNotify',
        typeVersion: 2,
        config: { channel: '#billing', text: 'Upgrade by {{ contact.email }}', mention: 'none' },
      },
      upgrades: [],
    });
    const published = await t.api<{ definition: { nodes: { id: string }[] } }>(
      'GET',
      '/v1/journeys/billing-alerts/versions/1',
    );
    expect(published.body.definition.nodes.find((n) => n.id === 'slack')).toMatchObject({ typeVersion: 1 });

    expect(errors).toEqual([]);
    expect(refused).toEqual([]);
  }, 90_000);
});
