import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuntimeConfig } from '@waymark/runtime';
import { type BrowserContext, chromium, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { type DatabaseKind, eventually, startTestRuntime, type TestRuntime } from '../support/runtime.ts';

/** The repository root, the built editor the runtime serves, and where screenshots go. */
export const root = fileURLToPath(new URL('../..', import.meta.url));
export const editorDir = join(root, 'apps/editor/dist');
export const artifacts = join(root, 'test-artifacts');
const chromiumPath = '/usr/bin/chromium';

/** Polls until the assertion holds, as a person waits for the screen to update. */
export function poll<T>(read: () => Promise<T> | T): ReturnType<typeof expect.poll<T>> {
  return expect.poll(read, { timeout: 5000, interval: 50 });
}

/** Builds the editor when its dist/ is stale and makes the artifacts folder. */
export function prepareEditor(): void {
  // The root test script builds the editor first; this keeps a suite right when run on its own.
  execFileSync('node', [join(root, 'apps/editor/scripts/build-if-stale.mjs')], { stdio: 'inherit' });
  mkdirSync(artifacts, { recursive: true });
}

/** Debian's Chromium, headless with a fresh profile; `close` also removes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const userDir = mkdtempSync(join(tmpdir(), 'waymark-chromium-'));
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // Chromium runs sandboxed frames (email previews, the inbox) in processes of their own, whose
      // requests Playwright's routing never sees; in the page's process `onlyLocalhost` refuses and
      // records them too. The frames stay sandboxed: no scripts, no same-origin.
      '--disable-features=IsolateSandboxedIframes',
    ],
    viewport: { width: 1440, height: 1000 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/**
 * Nothing but the runtime itself may be contacted: no CDN fonts or icons, no telemetry. Requests of
 * every frame count, sandboxed email previews included (see `launchChromium`).
 */
export async function onlyLocalhost(context: BrowserContext): Promise<string[]> {
  const refused: string[] = [];
  await context.route(
    (url) => url.hostname !== 'localhost' && !url.protocol.startsWith('data') && url.protocol !== 'about:',
    (route) => {
      refused.push(route.request().url());
      return route.abort();
    },
  );
  return refused;
}

/** Chromium opened beside a test runtime, as `startRuntimeAndChromium` starts them. */
export interface ChromiumSession {
  t: TestRuntime;
  /** The browser's first tab. */
  page: Page;
  /** Requests to anywhere but localhost, refused by `onlyLocalhost`. */
  refused: string[];
  /** Closes Chromium (and its profile) and stops the runtime. */
  close(): Promise<void>;
}

/**
 * Starts a test runtime on `kind` and Chromium at once, with `onlyLocalhost` guarding the browser; when
 * either fails to start, what did start is closed again before the error is thrown.
 */
export async function startRuntimeAndChromium(
  kind: DatabaseKind,
  config: Partial<RuntimeConfig> = {},
): Promise<ChromiumSession> {
  const [runtime, browser] = await Promise.allSettled([startTestRuntime(kind, config), launchChromium()]);
  const close = async () => {
    if (browser.status === 'fulfilled') await browser.value.close();
    if (runtime.status === 'fulfilled') await runtime.value.stop();
  };
  try {
    if (runtime.status === 'rejected') throw runtime.reason;
    if (browser.status === 'rejected') throw browser.reason;
    const { context } = browser.value;
    const page = context.pages()[0] ?? (await context.newPage());
    return { t: runtime.value, page, refused: await onlyLocalhost(context), close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Follows the runtime's one-time sign-in link and waits until the editor has taken the token out of the URL. */
export async function signIn(page: Page, t: TestRuntime): Promise<void> {
  await page.goto(t.runtime.signInUrl);
  await page.waitForURL((url) => !url.hash.includes('token='));
}

/** Collects the messages of the page's uncaught errors, from now on. */
export function recordPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** Saves a screenshot of the page as test-artifacts/`name`.png. */
export function screenshot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(artifacts, `${name}.png`) });
}

/** Moves the editor to `hash` (`#/journeys/…`) in the page, as a link inside the app does. */
export async function goToHash(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = h;
  }, hash);
}

/** POSTs `body` to `path` and expects 201 Created (a template, a journey…); returns the response. */
export async function create<T = Record<string, unknown>>(
  t: TestRuntime,
  path: string,
  body: unknown,
): Promise<{ status: number; body: T }> {
  const created = await t.api<T>('POST', path, body);
  expect(created.status).toBe(201);
  return created;
}

/** Publishes the journey's draft through the API and expects 200. */
export async function publish(t: TestRuntime, journeyId: string): Promise<void> {
  expect((await t.api('POST', `/v1/journeys/${journeyId}/publish`)).status).toBe(200);
}

/** The card of step `id` on the journey canvas. */
export const stepNode = (page: Page, id: string): Locator => page.locator(`.react-flow__node[data-id="${id}"]`);

/** How many steps and connections the journey canvas shows. */
export async function canvasCounts(page: Page): Promise<{ nodes: number; edges: number }> {
  return {
    nodes: await page.locator('.react-flow__node').count(),
    edges: await page.locator('.react-flow__edge').count(),
  };
}

/** The middle of an element on the screen; throws when it is not visible. */
export async function centre(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('element is not visible');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags the palette entry titled `title` onto the journey canvas at (`x`, `y`) of the canvas. */
export async function dropStep(page: Page, title: string, x: number, y: number): Promise<void> {
  await page
    .getByRole('button', { name: `Add ${title}`, exact: true })
    .dragTo(page.locator('.wm-canvas'), { targetPosition: { x, y } });
}

/** Drags from output `port` of step `from` to the input of step `to`, as a person connects two steps. */
export async function connectSteps(page: Page, from: string, port: string, to: string): Promise<void> {
  const a = await centre(stepNode(page, from).locator(`.react-flow__handle.source[data-handleid="${port}"]`));
  const b = await centre(stepNode(page, to).locator('.react-flow__handle.target'));
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 });
  await page.mouse.move(b.x, b.y, { steps: 4 });
  await page.mouse.up();
}

/** Names a new journey on the journey list and creates it; resolves with its id once its empty canvas shows. */
export async function newJourney(page: Page, name: string): Promise<string> {
  await page.getByLabel('Name of the new journey').fill(name);
  await page.getByRole('button', { name: 'New journey' }).click();
  await page.getByText('Start by dragging a trigger here').waitFor();
  return decodeURIComponent(/#\/journeys\/([^/?#]+)/.exec(page.url())?.[1] ?? '');
}

/** The GrapesJS canvas of the template designer. */
export const designCanvas = (page: Page): FrameLocator => page.frameLocator('.gjs-frame');

/**
 * Drags the designer's Text block onto the canvas just under `below`; resolves with the new block once it
 * shows.
 */
export async function dragTextBlockUnder(page: Page, below: Locator): Promise<Locator> {
  const block = await centre(page.getByRole('button', { name: 'Add Text', exact: true }));
  const target = await below.boundingBox();
  if (!target) throw new Error('the text to drop under is not visible');
  const dropAt = { x: target.x + 20, y: target.y + target.height - 3 };
  await page.mouse.move(block.x, block.y);
  await page.mouse.down();
  await page.mouse.move(block.x + 40, block.y + 10, { steps: 3 });
  await page.mouse.move(dropAt.x, dropAt.y - 20, { steps: 8 });
  await page.mouse.move(dropAt.x, dropAt.y, { steps: 4 });
  await page.mouse.up();
  const added = designCanvas(page).getByText('Insert text here', { exact: false });
  await added.waitFor({ timeout: 5000 });
  return added;
}

/**
 * Types "Your cart is waiting, !" into the text `block` and, at the cursor before the "!", the first_name
 * merge tag with `fallback`, picked in the designer; waits until the canvas shows the tag.
 */
export async function typeCartGreeting(page: Page, block: Locator, fallback: string): Promise<void> {
  await page.getByLabel('Merge tag', { exact: true }).selectOption('first_name');
  await page.getByLabel('Fallback').fill(fallback);
  await block.dblclick();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('Your cart is waiting, !');
  await page.keyboard.press('ArrowLeft');
  await page.getByRole('button', { name: 'Insert merge tag' }).click();
  await poll(async () =>
    ((await designCanvas(page).locator('[data-gjs-type="mj-body"]').textContent()) ?? '').replace(/\s+/g, ' '),
  ).toContain(`Your cart is waiting, {{contact.first_name | default: "${fallback}"}}!`);
}

/** Presses Save in the template designer and waits for the confirmation. */
export async function saveTemplate(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Template saved').waitFor();
}

/** A message of the runtime's development inbox (`GET /v1/dev/inbox`). */
export type DevMessage = { id: number; subject: string | null; envelope: { to: string[] } };

/** Waits (up to 20 s) for a message to `to` in the development inbox and resolves with it. */
export function devInboxMessage(t: TestRuntime, to: string, what: string): Promise<DevMessage> {
  return eventually(
    async () => {
      const r = await t.api<{ messages: DevMessage[] }>('GET', '/v1/dev/inbox');
      return r.body.messages.find((m) => m.envelope.to.includes(to));
    },
    20_000,
    what,
  );
}

/**
 * Opens the development inbox page (same origin and tab: it reads the signed-in token), picks the one
 * message with `subject` and waits until its HTML body shows `text`; resolves with the message in the
 * list and the body's frame.
 */
export async function openInInboxPage(
  page: Page,
  t: TestRuntime,
  subject: string,
  text: string,
): Promise<{ message: Locator; frame: FrameLocator }> {
  await page.goto(`${t.url}/inbox`);
  const message = page.getByRole('option').filter({ hasText: subject });
  await poll(() => message.count()).toBe(1);
  await message.click();
  await page.getByRole('heading', { name: subject, level: 2 }).waitFor();
  const frame = page.frameLocator(`iframe[title="HTML body of ${subject}"]`);
  await poll(async () => ((await frame.locator('body').textContent()) ?? '').replace(/\s+/g, ' ')).toContain(text);
  return { message, frame };
}
