import { readFileSync } from 'node:fs';
import { testModelsDir } from '@waymark/models';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, type DatabaseKind, eventually, type TestRuntime } from '../support/runtime.ts';
import {
  type ChromiumSession,
  create,
  type DevMessage,
  devInboxMessage,
  editorDir,
  poll,
  prepareEditor,
  publish,
  recordPageErrors,
  screenshot,
  signIn,
  startRuntimeAndChromium,
} from './support.ts';

/** A small list with planted problems: each bad row stands for one category of the report. */
const plantedCsv = [
  'email,first_name,plan',
  'ann@example.com,Ann,pro',
  'bob@example.com,Bob,free',
  'not-an-email,Broken,free', // invalid
  ',Nobody,free', // invalid: no address
  'ANN@example.com,Ann again,pro', // duplicate of row 2
  'temp@mailinator.com,Temp,free', // disposable
  'info@acme-corp.com,Info,free', // role
  'carl@gmial.com,Carl,pro', // typo → carl@gmail.com
  'dora@example.com,Dora,free',
].join('\n');

/** trigger → AI subject lines → sentiment check → approval → email with the approved subject. */
const reviewJourney = {
  schemaVersion: 1,
  settings: {},
  nodes: [
    { id: 'start', type: 'trigger.event', config: { event: 'launch_planned' } },
    {
      id: 'write',
      type: 'ai.generateSubject',
      config: { brief: 'wireless headphones', tone: 'promotional', variants: 3, maxLength: 60 },
    },
    { id: 'tone', type: 'ai.sentimentGuard', config: { source: 'subject', minScore: -1 } },
    { id: 'review', type: 'flow.approval', config: { timeout: 'P2D' } },
    { id: 'send', type: 'action.sendEmail', config: { template: 'launch', subjectFrom: 'ai' } },
    { id: 'done', type: 'flow.exit', config: {} },
  ],
  edges: [
    { from: 'start', to: 'write' },
    { from: 'write', to: 'tone' },
    { from: 'tone', port: 'pass', to: 'review' },
    { from: 'tone', port: 'fail', to: 'done' },
    { from: 'review', port: 'approved', to: 'send' },
    { from: 'review', port: 'rejected', to: 'done' },
    { from: 'review', port: 'timeout', to: 'done' },
    { from: 'send', to: 'done' },
  ],
};

const kinds: DatabaseKind[] = ['pglite', 'postgres'];

describe.each(kinds)('contacts, import and review queue screens in Chromium on %s', (kind) => {
  const skip = backend(kind).skip;
  let session: ChromiumSession | undefined;
  let t: TestRuntime | undefined;
  let page: Page;
  let refused: string[] = [];
  let errors: string[] = [];

  // The editor is rebuilt first when its sources changed, which takes a while on a busy machine.
  beforeAll(async () => {
    if (skip) return;
    prepareEditor();
    // No smtpUrl: the runtime's own development SMTP sink catches the mail, as after `pnpm start`.
    session = await startRuntimeAndChromium(kind, { editorDir, modelsDir: testModelsDir });
    ({ t, page, refused } = session);
    errors = recordPageErrors(page);
    await signIn(page, session.t);
  }, 180_000);

  afterAll(() => session?.close());

  const shot = (name: string) => screenshot(page, `screens-${kind}-${name}`);
  const nav = () => page.getByRole('navigation', { name: 'Main' });
  const reportCount = (label: string) =>
    page.locator('tr', { has: page.getByRole('rowheader', { name: label, exact: true }) }).getByRole('cell');

  it.skipIf(skip)(
    'imports a CSV with planted bad rows: dry run first, then for real with progress and the report',
    async () => {
      if (!t) throw new Error('runtime did not start');
      await nav().getByRole('link', { name: 'Contacts' }).click();
      await page.getByText('No contacts yet.', { exact: false }).waitFor();
      const toggle = page.getByRole('button', { name: 'Import contacts' });
      expect(await toggle.getAttribute('aria-expanded')).toBe('false');
      await toggle.click();
      await poll(() => toggle.getAttribute('aria-expanded')).toBe('true');

      const file = { name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from(plantedCsv) };
      await page.getByLabel('CSV or JSON-lines file').setInputFiles(file);
      expect(await page.getByLabel('Dry run: check the file without importing').isChecked()).toBe(true);
      await page.getByRole('button', { name: 'Upload and check' }).click();
      await page.getByRole('heading', { name: 'Dry run report (nothing was imported)' }).waitFor();
      expect(await reportCount('Would be imported').textContent()).toBe('6');
      expect(await reportCount('Invalid').textContent()).toBe('2');
      const dryRunContacts = await t.api<{ contacts: unknown[] }>('GET', '/v1/contacts');
      expect(dryRunContacts.body.contacts).toEqual([]);

      await page.getByLabel('Dry run: check the file without importing').uncheck();
      await page.getByRole('button', { name: 'Upload and import' }).click();
      await page.getByRole('heading', { name: 'Report', exact: true }).waitFor();
      const bar = page.getByRole('progressbar', { name: 'Import progress' });
      expect(await bar.getAttribute('aria-valuetext')).toBe('Done: 9 rows read');
      expect(await bar.getAttribute('aria-valuenow')).toBe('9');
      expect(await bar.getAttribute('aria-valuemax')).toBe('9');
      const counts: Record<string, string> = {};
      for (const label of [
        'Rows read',
        'Imported',
        'Invalid',
        'Duplicates (merged)',
        'Disposable domain',
        'Role account',
        'Possible typo',
        'Suppressed (not imported)',
      ])
        counts[label] = (await reportCount(label).textContent()) ?? '';
      expect(counts).toEqual({
        'Rows read': '9',
        Imported: '6',
        Invalid: '2',
        'Duplicates (merged)': '1',
        'Disposable domain': '1',
        'Role account': '1',
        'Possible typo': '1',
        'Suppressed (not imported)': '0',
      });
      const issues = page.getByRole('table', { name: 'Rows with errors and warnings' });
      const typoRow = issues.getByRole('row').filter({ hasText: 'carl@gmial.com' });
      expect(await typoRow.getByRole('cell').first().textContent()).toBe('9');
      expect(await typoRow.getByRole('cell').last().textContent()).toBe('carl@gmail.com');
      expect(await issues.getByRole('row').filter({ hasText: 'no email address' }).count()).toBe(1);
      await shot('01-import-report');

      // The imported contacts are listed, and the list reloaded by itself.
      const imported = await t.api<{ contacts: { email: string }[] }>('GET', '/v1/contacts');
      expect(imported.body.contacts.map((c) => c.email).sort()).toEqual([
        'ann@example.com',
        'bob@example.com',
        'carl@gmial.com',
        'dora@example.com',
        'info@acme-corp.com',
        'temp@mailinator.com',
      ]);
      await page.getByRole('link', { name: 'dora@example.com' }).waitFor();
      await page.getByLabel('Search by email or id').fill('EXAMPLE.com');
      await page.getByLabel('Search by email or id').press('Enter');
      const list = page.getByRole('table', { name: 'Contacts' });
      await poll(async () =>
        (await list.locator('tbody tr').allTextContents()).map((r) => r.split('@')[0]).sort(),
      ).toEqual(['ann', 'bob', 'dora']);
      await shot('02-contacts');
    },
    60_000,
  );

  it.skipIf(skip)(
    'moves the progress bar while a larger file is still uploading',
    async () => {
      if (!t) throw new Error('runtime did not start');
      const rows = 6000;
      const csv = ['email,plan', ...Array.from({ length: rows }, (_, i) => `bulk${i}@example.org,free`)].join('\n');
      await page.goto(`${t.url}/#/contacts`);
      await page.reload();
      await page.getByRole('button', { name: 'Import contacts' }).click();
      await page
        .getByLabel('CSV or JSON-lines file')
        .setInputFiles({ name: 'bulk.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.getByLabel('Dry run: check the file without importing').uncheck();
      // Every value the bar takes is recorded in the page (the app renders into an open shadow root).
      await page.evaluate(`(() => {
      const root = [...document.querySelectorAll('div')].find((d) => d.shadowRoot).shadowRoot;
      const seen = (window.progressSeen = []);
      new MutationObserver(() => {
        const bar = root.querySelector('[role=progressbar]');
        const v = bar && Number(bar.getAttribute('aria-valuenow'));
        if (bar && seen[seen.length - 1] !== v) seen.push(v);
      }).observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
    })()`);
      // The upload is throttled (about 4 s for the file), so the runtime reads it chunk by chunk as it arrives.
      const cdp = await page.context().newCDPSession(page);
      const throttle = (uploadThroughput: number) =>
        cdp.send('Network.emulateNetworkConditions', {
          offline: false,
          latency: 0,
          downloadThroughput: -1,
          uploadThroughput,
        });
      await cdp.send('Network.enable');
      await throttle(40_000);
      try {
        await page.getByRole('button', { name: 'Upload and import' }).click();
        await page.getByRole('heading', { name: 'Report', exact: true }).waitFor({ timeout: 30_000 });
      } finally {
        await throttle(-1);
        await cdp.detach();
      }
      const seen = (await page.evaluate('window.progressSeen')) as number[];
      expect(seen.some((v) => v > 0 && v < rows)).toBe(true);
      expect(seen.every((v, i) => i === 0 || v >= (seen[i - 1] as number))).toBe(true);
      expect(seen[seen.length - 1]).toBe(rows);
      expect(await reportCount('Imported').textContent()).toBe(String(rows));
    },
    60_000,
  );

  it.skipIf(skip)(
    'a file that breaks late says what was imported and resumes from the first row not imported',
    async () => {
      if (!t) throw new Error('runtime did not start');
      // File rows 2…2600 (the header is row 1); row 2512 opens a quote it never closes.
      const lateCsv = (plan: string, broken: boolean) => {
        const lines = ['email,plan'];
        for (let row = 2; row <= 2600; row++)
          lines.push(broken && row === 2512 ? `late${row}@example.net,"${plan}` : `late${row}@example.net,${plan}`);
        return { name: 'late.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) };
      };
      const lateContacts = async () => {
        const emails: string[] = [];
        let after: string | null = null;
        do {
          const r: { body: { contacts: { email: string }[]; next: string | null } } = await (t as TestRuntime).api(
            'GET',
            `/v1/contacts?q=@example.net&limit=1000${after ? `&after=${after}` : ''}`,
          );
          emails.push(...r.body.contacts.map((c) => c.email));
          after = r.body.next;
        } while (after);
        return emails.filter((e) => e.startsWith('late'));
      };
      await page.goto(`${t.url}/#/contacts`);
      await page.reload();
      await page.getByRole('button', { name: 'Import contacts' }).click();
      const fileInput = page.getByLabel('CSV or JSON-lines file');
      await fileInput.setInputFiles(lateCsv('first', true));
      await page.getByLabel('Dry run: check the file without importing').uncheck();
      await page.getByRole('button', { name: 'Upload and import' }).click();
      await page
        .getByText('2,000 rows were imported before the error on row 2,512; fix the file and resume from row 2,002.')
        .waitFor();
      expect(await page.getByRole('alert').first().textContent()).toBe(
        'The import stopped: row 2512: a quoted cell is never closed: its opening " has no closing " (the rest of the file was read into it)',
      );
      expect((await lateContacts()).length).toBe(2000);
      await shot('02b-import-failed-late');

      // The fixed file is chosen again; the offer stays, and resuming reads only the rows from 2,002.
      await fileInput.setInputFiles(lateCsv('second', false));
      const resume = page.getByRole('button', { name: 'Resume from row 2,002' });
      await resume.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Report', exact: true }).waitFor();
      expect(await reportCount('Rows read').textContent()).toBe('599');
      expect(await reportCount('Imported').textContent()).toBe('599');
      expect(await page.getByRole('button', { name: /^Resume from row/ }).count()).toBe(0);
      const bar = page.getByRole('progressbar', { name: 'Import progress' });
      expect(await bar.getAttribute('aria-valuetext')).toBe('Done: 599 rows read');
      const emails = await lateContacts();
      expect(emails.length).toBe(2599);
      expect(new Set(emails).size).toBe(2599);
      const plan = async (row: number) =>
        (
          await t?.api<{ contacts: { attributes: { plan?: string } }[] }>(
            'GET',
            `/v1/contacts?q=late${row}@example.net`,
          )
        )?.body.contacts[0]?.attributes.plan;
      expect([await plan(2001), await plan(2002), await plan(2600)]).toEqual(['first', 'second', 'second']);
    },
    90_000,
  );

  it.skipIf(skip)(
    'opens a contact, exports it as JSON, and erases it after a confirmation naming the address',
    async () => {
      if (!t) throw new Error('runtime did not start');
      const bob = (await t.api<{ contacts: { id: string; email: string }[] }>('GET', '/v1/contacts?q=bob@example.com'))
        .body.contacts[0];
      if (!bob) throw new Error('bob was not imported');
      await t.api('POST', '/v1/topics', { id: 'newsletter', name: 'Newsletter' });
      await t.api('PUT', `/v1/contacts/${bob.id}/consents/newsletter`, { status: 'granted', source: 'form' });
      const viewed = await t.api('POST', '/v1/events', {
        contactId: bob.id,
        event: 'viewed_pricing',
        properties: { plan: 'pro' },
      });
      expect(viewed.status).toBe(202);

      await page.goto(`${t.url}/#/contacts`);
      await page.getByLabel('Search by email or id').fill('bob');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByRole('link', { name: 'bob@example.com' }).click();
      await page.getByRole('heading', { name: 'bob@example.com', level: 1 }).waitFor();
      await page.getByText('viewed_pricing').waitFor();
      expect(await page.locator('dd', { hasText: 'Bob' }).count()).toBe(1);
      expect(await page.getByRole('cell', { name: 'newsletter' }).count()).toBe(1);
      await shot('03-contact');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export (JSON)' }).click(),
      ]);
      const path = await download.path();
      const exported = JSON.parse(readFileSync(path, 'utf8')) as { contact: { email: string }; events: unknown[] };
      expect(exported.contact.email).toBe('bob@example.com');
      expect(exported.events.length).toBeGreaterThanOrEqual(1);

      // Cancel keeps the contact; confirming erases it.
      await page.getByRole('button', { name: 'Erase contact' }).click();
      const dialog = page.getByRole('alertdialog', { name: 'Erase contact' });
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain('Erase bob@example.com for good?');
      await shot('04-erase-confirm');
      await page.keyboard.press('Escape');
      await poll(() => dialog.count()).toBe(0);
      expect((await t.api('GET', `/v1/contacts/${bob.id}`)).status).toBe(200);
      await page.getByRole('button', { name: 'Erase contact' }).click();
      await dialog.getByRole('button', { name: 'Erase', exact: true }).click();
      await page.getByText('bob@example.com was erased.').waitFor();
      expect((await t.api('GET', `/v1/contacts/${bob.id}`)).status).toBe(404);
      const again = await t.api<{ error: { message: string } }>('POST', '/v1/contacts', { email: 'bob@example.com' });
      expect(again.status).toBe(409);
    },
    60_000,
  );

  it.skipIf(skip)(
    'shows pending approvals with their subject lines; an edited approval is sent, a bulk rejection is not',
    async () => {
      if (!t) throw new Error('runtime did not start');
      const template = {
        id: 'launch',
        name: 'Launch',
        subject: 'Fallback subject',
        // A script in the template must not run where the reviewer looks at the email.
        mjml: `<mjml><mj-body><mj-raw><script>window.top.document.title = 'pwned'</script></mj-raw><mj-section><mj-column>
          <mj-text>Hi {{ contact.first_name | default: "there" }}, our new headphones are here.</mj-text>
        </mj-column></mj-section></mj-body></mjml>`,
      };
      await create(t, '/v1/templates', template);
      await create(t, '/v1/journeys', { id: 'launch', name: 'Headphones launch', definition: reviewJourney });
      await publish(t, 'launch');
      await t.api('POST', '/v1/contacts', {
        contacts: [
          { id: 'rev-ann', email: 'rev-ann@example.com', attributes: { first_name: 'Ann' } },
          { id: 'rev-cy', email: 'rev-cy@example.com' },
          { id: 'rev-di', email: 'rev-di@example.com' },
        ],
      });
      const sent = await t.api('POST', '/v1/events', {
        events: ['rev-ann', 'rev-cy', 'rev-di'].map((contactId) => ({ contactId, event: 'launch_planned' })),
      });
      expect(sent.status).toBe(202);
      await eventually(
        async () => {
          const r = await t?.api<{ approvals: unknown[] }>('GET', '/v1/approvals');
          return r?.body.approvals.length === 3 ? true : undefined;
        },
        30_000,
        'three runs waiting for approval',
      );

      await page.goto(`${t.url}/#/reviews`);
      const item = (email: string): Locator =>
        page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: email }) });
      const ann = item('rev-ann@example.com');
      await ann.waitFor();
      await poll(() => page.locator('.wm-review').count()).toBe(3);
      // The generated subject lines, each with its sentiment in words and numbers.
      const first = ann.getByLabel('Subject line 1');
      const generated = await first.inputValue();
      expect(generated.toLowerCase()).toContain('wireless headphones');
      expect(await ann.getByLabel('Subject line 3').count()).toBe(1);
      expect(await ann.locator('.wm-sentiment').count()).toBe(3);
      expect(await ann.locator('.wm-sentiment').first().textContent()).toMatch(
        /^Sentiment: (positive|neutral|negative) -?\d\.\d\d$/,
      );
      expect(await ann.getByText('Headphones launch').count()).toBe(1);

      // The email approving sends, rendered for Ann: the first subject line and her body, sandboxed.
      const title = await page.title();
      await ann.getByText('Email that goes out when approved').click();
      const frame = ann.locator('iframe[title="Email to rev-ann@example.com"]');
      await frame.waitFor();
      expect(await ann.locator('.wm-approval-email dd.wm-preview-subject').textContent()).toBe(generated);
      const sandbox = (await frame.getAttribute('sandbox')) ?? '';
      expect(sandbox.split(' ')).not.toContain('allow-scripts');
      expect(sandbox.split(' ')).not.toContain('allow-same-origin');
      const body = page.frameLocator('iframe[title="Email to rev-ann@example.com"]').locator('body');
      await poll(async () => ((await body.textContent()) ?? '').replace(/\s+/g, ' ')).toContain(
        'Hi Ann, our new headphones are here.',
      );
      expect(await page.title()).toBe(title);
      await shot('05-review-queue');

      // Edit: one subject line is kept, reworded; the others are cleared.
      const edited = 'Meet the new wireless headphones';
      await first.fill(edited);
      await ann.getByLabel('Subject line 2').fill('');
      await ann.getByLabel('Subject line 3').fill('');
      await ann.getByRole('button', { name: 'Approve rev-ann@example.com' }).click();
      await page.getByText('1 approved').waitFor();
      await poll(() => ann.count()).toBe(0);

      // The other two are selected and rejected together.
      await page.getByLabel('Select rev-cy@example.com in Headphones launch').check();
      await page.getByLabel('Select rev-di@example.com in Headphones launch').check();
      await page.getByLabel('Note for the record (optional)').fill('off-brand');
      await page.getByRole('button', { name: 'Reject selected (2)' }).click();
      await page.getByText('2 rejected').waitFor();
      await page.getByText('Nothing is waiting for review.').waitFor();
      await shot('06-review-done');

      // The runtime sends Ann's email with the approved subject, caught by the development inbox.
      const mail = await devInboxMessage(t, 'rev-ann@example.com', "Ann's email in the development inbox");
      expect(mail.subject).toBe(edited);
      const finished = await eventually(
        async () => {
          const r = await t?.api<{ nodes: Record<string, Record<string, number>> }>('GET', '/v1/journeys/launch/stats');
          return r?.body.nodes.done?.exited === 3 ? r.body.nodes : undefined;
        },
        15_000,
        'all three runs to finish',
      );
      expect(finished.review).toMatchObject({ 'left:approved': 1, 'left:rejected': 2 });
      const inbox = await t.api<{ messages: DevMessage[] }>('GET', '/v1/dev/inbox');
      expect(inbox.body.messages.filter((m) => m.envelope.to.some((to) => /rev-(cy|di)@/.test(to)))).toEqual([]);

      // The decisions were made by the signed-in owner (the sign-in link's user), not by "an editor".
      const history = await t.api<{ decisions: { contactId: string; decidedBy: { actor: string } }[] }>(
        'GET',
        '/v1/approvals/history?journeyId=launch',
      );
      expect(history.body.decisions.map((d) => [d.contactId, d.decidedBy.actor]).sort()).toEqual([
        ['rev-ann', 'editor:owner'],
        ['rev-cy', 'editor:owner'],
        ['rev-di', 'editor:owner'],
      ]);

      // The Decided tab lists them, newest first, with the owner as the reviewer; reached by keyboard.
      const waitingTab = page.getByRole('tab', { name: 'Waiting' });
      expect(await waitingTab.getAttribute('aria-selected')).toBe('true');
      await waitingTab.focus();
      await page.keyboard.press('ArrowRight');
      const decidedTab = page.getByRole('tab', { name: 'Decided' });
      await poll(() => decidedTab.getAttribute('aria-selected')).toBe('true');
      await poll(() =>
        decidedTab.evaluate((el) => el === (el.getRootNode() as unknown as { activeElement: unknown }).activeElement),
      ).toBe(true);
      const decided = page.getByRole('tabpanel', { name: 'Decided' }).getByRole('table', {
        name: 'Recent decisions, newest first',
      });
      await poll(() => decided.locator('tbody tr').count()).toBe(3);
      const rows = await decided
        .locator('tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())),
        );
      // Columns: when, journey, contact, step, decision, decided by, note and subject lines.
      const [newest, next, oldest] = rows;
      for (const r of [newest, next])
        expect([r?.[1], r?.[3], r?.[4], r?.[5], r?.[6]]).toEqual([
          'Headphones launch',
          'review',
          'Rejected',
          'Owner (owner)',
          expect.stringMatching(/^Note: off-brand/),
        ]);
      expect([newest?.[2], next?.[2]].sort()).toEqual(['rev-cy', 'rev-di']);
      expect(oldest?.slice(1)).toEqual([
        'Headphones launch',
        'rev-ann',
        'review',
        'Approved',
        'Owner (owner)',
        `Subject linesedited${edited}`,
      ]);
      // Newest first: the bulk rejections came after Ann's approval.
      const times = await decided.locator('tbody time').evaluateAll((ts) => ts.map((x) => x.getAttribute('datetime')));
      expect(times).toHaveLength(3);
      expect([...times].sort().reverse()).toEqual(times);
      await shot('07-review-decided');

      expect(errors).toEqual([]);
      expect(refused).toEqual([]);
    },
    90_000,
  );
});
