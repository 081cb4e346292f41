import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestSmtp } from '@waymark/runtime/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, eventually, type TestRuntime } from '../support/runtime.ts';
import { artifacts, type ChromiumSession, poll, startRuntimeAndChromium } from './support.ts';

const mjml = '<mjml><mj-body><mj-section><mj-column><mj-text>News</mj-text></mj-column></mj-section></mj-body></mjml>';

describe('the preference center in Chromium (PGlite)', () => {
  const skip = backend('pglite').skip;
  let smtp: Awaited<ReturnType<typeof startTestSmtp>> | undefined;
  let session: ChromiumSession | undefined;
  let t: TestRuntime | undefined;
  let page: Page;
  let refused: string[] = [];

  beforeAll(async () => {
    if (skip) return;
    smtp = await startTestSmtp();
    session = await startRuntimeAndChromium('pglite', { smtpUrl: smtp.url });
    ({ t, page, refused } = session);
    mkdirSync(artifacts, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    await smtp?.close();
  });

  it.skipIf(skip)(
    'is operated by its labels, saves without any script, and shows the saved choices',
    async () => {
      if (!t || !smtp) throw new Error('runtime did not start');
      const received = smtp.received;
      await t.api('POST', '/v1/topics', { id: 'newsletter', name: 'Newsletter', description: 'Monthly news' });
      await t.api('POST', '/v1/topics', { id: 'offers', name: 'Offers' });
      await t.api('POST', '/v1/templates', { id: 'news', name: 'News', subject: 'News', mjml, topic: 'newsletter' });
      const journey = {
        schemaVersion: 1,
        id: 'news',
        nodes: [
          { id: 'go', type: 'trigger.event', config: { event: 'joined' } },
          { id: 'mail', type: 'action.sendEmail', config: { template: 'news' } },
          { id: 'end', type: 'flow.exit', config: {} },
        ],
        edges: [
          { from: 'go', to: 'mail' },
          { from: 'mail', to: 'end' },
        ],
      };
      await t.api('POST', '/v1/journeys', { id: 'news', name: 'News', definition: journey });
      await t.api('POST', '/v1/journeys/news/publish');
      await t.api('POST', '/v1/events', { email: 'ann@example.com', event: 'joined' });
      const mail = await eventually(async () => received[0], 20_000, 'the email');
      const link = /href="(http:\/\/localhost:\d+\/p\/[^"]+)"/.exec(String((await mail.parse()).html))?.[1];
      expect(link).toBeDefined();

      const scripts: string[] = [];
      page.on('console', (m) => scripts.push(m.text()));
      await page.goto(link as string);
      await expect.poll(() => page.title()).toBe('Email preferences');
      expect(await page.locator('script').count()).toBe(0);

      const newsletter = page.getByRole('checkbox', { name: /Newsletter/ });
      expect(await newsletter.isChecked()).toBe(true);
      expect(await newsletter.getAttribute('aria-describedby')).toBe('topic-0-hint');
      await newsletter.uncheck();
      await page.getByRole('radio', { name: /At most one email a week/ }).check();
      await page.getByRole('radio', { name: 'Pause all email for 30 days' }).check();
      await page.getByRole('button', { name: 'Save preferences' }).click();

      await poll(() => page.getByRole('status').textContent()).toBe('Your preferences are saved.');
      expect(await page.getByRole('checkbox', { name: /Newsletter/ }).isChecked()).toBe(false);
      expect(await page.getByRole('checkbox', { name: 'Offers' }).isChecked()).toBe(true);
      expect(await page.getByRole('radio', { name: /At most one email a week/ }).isChecked()).toBe(true);
      expect(await page.getByRole('radio', { name: /Stay paused until/ }).isChecked()).toBe(true);
      await page.screenshot({ path: join(artifacts, 'preference-center.png'), fullPage: true });

      const audit = await t.api<{ entries: { actor: string; details: { topic?: string } }[] }>(
        'GET',
        '/v1/audit?action=consent.withdrawn',
      );
      expect(audit.body.entries).toEqual([
        expect.objectContaining({ actor: 'contact', details: expect.objectContaining({ topic: 'newsletter' }) }),
      ]);

      // A weekly digest instead of every email is offered too, and saved.
      await page.getByRole('radio', { name: /A weekly digest instead of every email/ }).check();
      await page.getByRole('button', { name: 'Save preferences' }).click();
      await poll(() => page.getByRole('radio', { name: /A weekly digest instead of every email/ }).isChecked()).toBe(
        true,
      );
      expect(await page.getByRole('radio', { name: /At most one email a week/ }).isChecked()).toBe(false);
      const changes = await t.api<{ entries: { details: { frequency: string; previous: { frequency: string } } }[] }>(
        'GET',
        '/v1/audit?action=contact.preferences_changed',
      );
      expect(changes.body.entries.map((e) => [e.details.previous.frequency, e.details.frequency])).toContainEqual([
        'weekly',
        'digest',
      ]);

      await page.getByRole('button', { name: 'Unsubscribe from all' }).click();
      await poll(() => page.getByRole('heading').first().textContent()).toBe("You're unsubscribed");
      expect(refused).toEqual([]);
      expect(scripts).toEqual([]);
    },
    60_000,
  );
});
