import { testModelsDir } from '@waymark/models';
import { schema } from '@waymark/runtime/db';
import { describe, expect, it } from 'vitest';
import { type DatabaseKind, eventually, useTestRuntime } from '../support/runtime.ts';

type ApiErrorBody = { error: { code: string; message: string } };
type Settings = { bannedWords: string[]; source: 'workspace' | 'default'; updatedAt: string | null };
type Variants = { variants: { subject: string; sentiment: { label: string; score: number } }[] };

/** What the test subject model writes for this brief: its most likely line is "Save 10% on wireless headphones". */
const brief = { brief: 'wireless headphones', tone: 'promotional', variants: 5, maxLength: 60 };
const saves = /(^|[^\p{L}])save([^\p{L}]|$)/iu;

const journey = {
  schemaVersion: 1,
  id: 'launch',
  settings: {},
  nodes: [
    { id: 'start', type: 'trigger.event', config: { event: 'launch_planned' } },
    { id: 'write', type: 'ai.generateSubject', config: brief },
    { id: 'review', type: 'flow.approval', config: {} },
    { id: 'send', type: 'action.sendEmail', config: { template: 'launch', subjectFrom: 'ai' } },
    { id: 'done', type: 'flow.exit', config: {} },
  ],
  edges: [
    { from: 'start', to: 'write' },
    { from: 'write', to: 'review' },
    { from: 'review', port: 'approved', to: 'send' },
    { from: 'review', port: 'rejected', to: 'done' },
    { from: 'review', port: 'timeout', to: 'done' },
    { from: 'send', to: 'done' },
  ],
};

const template = {
  id: 'launch',
  name: 'Launch',
  subject: 'Fallback',
  mjml: '<mjml><mj-body><mj-section><mj-column><mj-text>New</mj-text></mj-column></mj-section></mj-body></mjml>',
};

const kinds: DatabaseKind[] = ['pglite', 'postgres'];

describe.each(kinds)("a workspace's banned words keep AI subject lines clean on %s", (kind) => {
  const suite = useTestRuntime(kind, { config: { modelsDir: testModelsDir, bannedWords: ['guaranteed'] } });

  it.skipIf(suite.skip)(
    'sets banned words through the API and never generates them, in the preview and in journeys',
    async () => {
      const { t } = suite;
      const { db } = t.runtime.services;

      // Without a list of its own, the workspace uses the installation default (WAYMARK_BANNED_WORDS).
      const initial = await t.api<Settings>('GET', '/v1/ai/settings');
      expect(initial.status).toBe(200);
      expect(initial.body).toEqual({ bannedWords: ['guaranteed'], source: 'default', updatedAt: null });

      // The model does write "save" for this brief while it is allowed.
      const before = await t.api<Variants>('POST', '/v1/ai/subjects', brief);
      expect(before.status).toBe(200);
      expect(before.body.variants).toHaveLength(5);
      expect(before.body.variants.some((v) => saves.test(v.subject))).toBe(true);
      for (const v of before.body.variants) {
        expect(v.subject.length).toBeLessThanOrEqual(60);
        expect(['NEGATIVE', 'NEUTRAL', 'POSITIVE']).toContain(v.sentiment.label);
        expect(Math.abs(v.sentiment.score)).toBeLessThanOrEqual(1);
      }

      const saved = await t.api<Settings>('PUT', '/v1/ai/settings', {
        bannedWords: ['  Save ', 'save', 'free shipping'],
      });
      expect(saved.status).toBe(200);
      expect(saved.body).toMatchObject({ bannedWords: ['Save', 'free shipping'], source: 'workspace' });
      expect((await t.api<Settings>('GET', '/v1/ai/settings')).body.bannedWords).toEqual(['Save', 'free shipping']);
      const audit = (await db.select().from(schema.auditLog)).filter((a) => a.action === 'ai.bannedWords.updated');
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        actor: expect.stringMatching(/^apiKey:/),
        subjectType: 'workspace',
        details: {
          before: { source: 'default', words: ['guaranteed'] },
          after: { source: 'workspace', words: ['Save', 'free shipping'] },
        },
      });

      // The preview no longer has them …
      const after = await t.api<Variants>('POST', '/v1/ai/subjects', brief);
      expect(after.status).toBe(200);
      expect(after.body.variants.length).toBeGreaterThan(0);
      for (const { subject } of after.body.variants) {
        expect(subject).not.toMatch(saves);
        expect(subject.toLowerCase()).not.toContain('free shipping');
      }

      // … nor does the ai.generateSubject node of a journey in this workspace.
      expect((await t.api('POST', '/v1/templates', template)).status).toBe(201);
      expect((await t.api('POST', '/v1/journeys', { id: 'launch', name: 'Launch', definition: journey })).status).toBe(
        201,
      );
      expect((await t.api('POST', '/v1/journeys/launch/publish')).status).toBe(200);
      await t.api('POST', '/v1/events', { email: 'ann@example.com', event: 'launch_planned' });
      const [pending] = await eventually(
        async () => {
          const r = await t.api<{ approvals: { subjects: string[] | null }[] }>('GET', '/v1/approvals');
          return r.body.approvals.length === 1 ? r.body.approvals : undefined;
        },
        30_000,
        'the generated subjects waiting for review',
      );
      expect(pending?.subjects?.length).toBeGreaterThan(0);
      for (const subject of pending?.subjects ?? []) expect(subject).not.toMatch(saves);

      // Another workspace keeps the default and still gets "save".
      const other = await t.api<{ apiKey: string }>('POST', '/v1/workspaces', { name: 'Other' });
      const otherSettings = await t.api<Settings>('GET', '/v1/ai/settings', undefined, { key: other.body.apiKey });
      expect(otherSettings.body).toMatchObject({ bannedWords: ['guaranteed'], source: 'default' });
      const otherVariants = await t.api<Variants>('POST', '/v1/ai/subjects', brief, { key: other.body.apiKey });
      expect(otherVariants.body.variants.some((v) => saves.test(v.subject))).toBe(true);

      // Editor tokens that are read-only or limited to one journey cannot change the settings.
      const readOnly = await t.api<{ token: string }>('POST', '/v1/editor-tokens', { access: 'read' });
      const scoped = await t.api<{ token: string }>('POST', '/v1/editor-tokens', { journeyId: 'launch' });
      for (const key of [readOnly.body.token, scoped.body.token]) {
        const denied = await t.api<ApiErrorBody>('PUT', '/v1/ai/settings', { bannedWords: [] }, { key });
        expect(denied.status).toBe(403);
        expect((await t.api('GET', '/v1/ai/settings', undefined, { key })).status).toBe(200);
      }
      const editor = await t.api<{ token: string }>('POST', '/v1/editor-tokens', { access: 'edit' });
      const emptied = await t.api<Settings>('PUT', '/v1/ai/settings', { bannedWords: [] }, { key: editor.body.token });
      expect(emptied.body).toMatchObject({ bannedWords: [], source: 'workspace' });

      // DELETE returns the workspace to the default, recorded too.
      const reset = await t.api<Settings>('DELETE', '/v1/ai/settings');
      expect(reset.body).toEqual({ bannedWords: ['guaranteed'], source: 'default', updatedAt: null });
      const actions = (await db.select().from(schema.auditLog).orderBy(schema.auditLog.id))
        .filter((a) => a.action.startsWith('ai.bannedWords.'))
        .map((a) => [a.action, a.actor]);
      expect(actions).toEqual([
        ['ai.bannedWords.updated', expect.stringMatching(/^apiKey:/)],
        ['ai.bannedWords.updated', 'editor'],
        ['ai.bannedWords.reset', expect.stringMatching(/^apiKey:/)],
      ]);
    },
    90_000,
  );

  it.skipIf(suite.skip)('scores a text for sentiment', async () => {
    const { t } = suite;
    const sorry = await t.api<{ label: string; score: number }>('POST', '/v1/ai/sentiment', {
      text: 'We are so sorry for the trouble',
    });
    expect(sorry.status).toBe(200);
    expect(sorry.body.label).toBe('NEGATIVE');
    expect(sorry.body.score).toBeLessThan(0);
  });

  it.skipIf(suite.skip)('refuses bad input with errors naming the field', async () => {
    const { t } = suite;
    const cases: [string, string, unknown, string][] = [
      ['PUT', '/v1/ai/settings', {}, 'bannedWords'],
      ['PUT', '/v1/ai/settings', { bannedWords: 'save' }, 'bannedWords'],
      ['PUT', '/v1/ai/settings', { bannedWords: ['ok', '   '] }, 'bannedWords.1'],
      ['PUT', '/v1/ai/settings', { bannedWords: ['x'.repeat(51)] }, 'bannedWords.0'],
      ['PUT', '/v1/ai/settings', { bannedWords: Array.from({ length: 201 }, (_, i) => `w${i}`) }, 'bannedWords'],
      ['POST', '/v1/ai/subjects', { brief: 'hi', variants: 3 }, 'brief'],
      ['POST', '/v1/ai/subjects', { brief: 'spring sale', variants: 11 }, 'variants'],
      ['POST', '/v1/ai/subjects', { brief: 'spring sale', variants: 2.5 }, 'variants'],
      ['POST', '/v1/ai/subjects', { brief: 'spring sale', variants: 3, maxLength: 5 }, 'maxLength'],
      ['POST', '/v1/ai/subjects', { brief: 'spring sale', variants: 3, tone: 'x'.repeat(41) }, 'tone'],
      ['POST', '/v1/ai/sentiment', { text: '  ' }, 'text'],
      ['POST', '/v1/ai/sentiment', { text: 'x'.repeat(5001) }, 'text'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await t.api<ApiErrorBody>(method, path, body);
      expect(res.status, `${method} ${path} ${field}`).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.message.startsWith(`${field}: `), res.body.error.message).toBe(true);
    }
    const extra = await t.api<ApiErrorBody>('POST', '/v1/ai/subjects', { brief: 'spring sale', variants: 3, x: 1 });
    expect(extra.status).toBe(400);
    expect(extra.body.error.message).toContain('"x"');
    for (const [method, path] of [
      ['GET', '/v1/ai/settings'],
      ['POST', '/v1/ai/subjects'],
      ['POST', '/v1/ai/sentiment'],
    ] as const) {
      const res = await t.api<ApiErrorBody>(method, path, method === 'GET' ? undefined : {}, { key: '' });
      expect(res.status).toBe(401);
    }
  });
});

describe.each(kinds)('AI previews without a model on %s', (kind) => {
  const suite = useTestRuntime(kind);

  it.skipIf(suite.skip)('answer 503 model_unavailable, naming what to configure', async () => {
    const { t } = suite;
    for (const [path, body] of [
      ['/v1/ai/subjects', brief],
      ['/v1/ai/sentiment', { text: 'Hello' }],
    ] as const) {
      const res = await t.api<ApiErrorBody>('POST', path, body);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('model_unavailable');
      expect(res.body.error.message).toContain('WAYMARK_MODELS_DIR');
    }
    // The settings do not need a model.
    expect((await t.api('PUT', '/v1/ai/settings', { bannedWords: ['save'] })).status).toBe(200);
  });
});
