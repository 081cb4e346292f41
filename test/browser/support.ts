import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { expect } from 'vitest';

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
