import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startRuntime } from '@waymark/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backend,
  type DatabaseKind,
  eventually,
  startTestRuntime,
  type TestRuntime,
  testConfig,
} from '../support/runtime.ts';

const slackPackage = '@waymark-examples/node-package-slack';
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const kinds: DatabaseKind[] = ['pglite', 'postgres'];

interface SlackPost {
  path: string;
  idempotencyKey: string | undefined;
  body: { channel: string; text: string };
}

/** A Slack stand-in on 127.0.0.1: records posts, and answers 404 channel_not_found for #nowhere. */
async function startSlack(): Promise<{ url: string; posts: SlackPost[]; close(): Promise<void>; server: Server }> {
  const posts: SlackPost[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString();
    });
    req.on('end', () => {
      const body = JSON.parse(raw) as SlackPost['body'];
      const key = req.headers['idempotency-key'];
      posts.push({ path: req.url ?? '', idempotencyKey: typeof key === 'string' ? key : undefined, body });
      if (body.channel === '#nowhere') res.writeHead(404).end('channel_not_found');
      else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    server,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

interface ApiErrorBody {
  error: { code: string; message: string; details?: { problems: { code: string; nodeId?: string }[] } };
}

/** A journey as the upgrade route and GET /v1/journeys/{id} return it. */
interface UpgradedDraft {
  definition: { nodes: { id: string; typeVersion?: number; config: Record<string, unknown> }[] };
  liveVersion: number | null;
  upgraded: { node: string }[];
  upgrades: { node: string }[];
  problems: unknown[];
}

/** A journey: on `event`, a discount code, a Slack node, then a flag saying whether the post went out. */
function slackJourney(id: string, event: string, slackNode: Record<string, unknown>) {
  return {
    schemaVersion: 1,
    id,
    name: id,
    settings: { reEntry: 'always' },
    nodes: [
      { id: 'start', type: 'trigger.event', config: { event } },
      { id: 'code', type: 'acme.discountCode', config: { prefix: 'WELCOME-', length: 6 } },
      { id: 'slack', type: 'acme.slackNotify', ...slackNode },
      { id: 'posted', type: 'action.updateContact', config: { set: { [`${id}_posted`]: true } } },
      { id: 'notPosted', type: 'action.updateContact', config: { set: { [`${id}_posted`]: false } } },
      { id: 'done', type: 'flow.exit', config: {} },
    ],
    edges: [
      { from: 'start', to: 'code' },
      { from: 'code', to: 'slack' },
      { from: 'slack', to: 'posted' },
      { from: 'slack', port: 'failed', to: 'notPosted' },
      { from: 'posted', to: 'done' },
      { from: 'notPosted', to: 'done' },
    ],
  };
}

describe.each(kinds)('the example node package in a real runtime (%s)', (kind) => {
  const skip = backend(kind).skip;
  let t: TestRuntime;
  let slack: Awaited<ReturnType<typeof startSlack>>;

  beforeAll(async () => {
    if (skip) return;
    slack = await startSlack();
    t = await startTestRuntime(
      kind,
      { nodePackages: [slackPackage, fixture('node-package-migrations')] },
      { allowPrivateWebhooks: true },
    );
    // The webhook URL is a secret, set through the secrets API: it never appears in journey JSON.
    const secret = await t.api('PUT', '/v1/secrets/slackWebhookUrl', {
      value: `${slack.url}/services/T000/B000/secret-path`,
    });
    expect(secret.status).toBeLessThan(300);
    await t.api('POST', '/v1/contacts', {
      contacts: [
        { id: 'ann', email: 'ann@example.test', attributes: { first_name: 'Ann' } },
        { id: 'bob', email: 'bob@example.test' },
        { id: 'cid', email: 'cid@example.test' },
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await slack?.close();
  });

  it.skipIf(skip)(
    'serves the package node types from GET /v1/node-types with the package as their source',
    async () => {
      const res = await t.api<{ nodeTypes: { type: string; version: number; source: string }[] }>(
        'GET',
        '/v1/node-types',
      );
      expect(res.status).toBe(200);
      const ours = res.body.nodeTypes.filter((n) => n.source === slackPackage);
      expect(ours.map((n) => `${n.type}@${n.version}`).sort()).toEqual([
        'acme.discountCode@1',
        'acme.slackNotify@1',
        'acme.slackNotify@2',
      ]);
      expect(ours.find((n) => n.type === 'acme.slackNotify' && n.version === 2)).toMatchObject({
        category: 'action',
        title: 'Notify Slack',
        icon: expect.stringMatching(/^data:image\/svg\+xml,/),
        ports: [
          { id: 'next', label: 'Sent' },
          { id: 'failed', label: 'Failed' },
        ],
        configSchema: {
          type: 'object',
          required: ['channel', 'text'],
          properties: { mention: { enum: ['none', 'here', 'channel'], default: 'none' } },
        },
      });
      // The webhook URL is a secret: no node config asks for it.
      expect(JSON.stringify(ours)).not.toMatch(/webhook|url/i);
      expect(res.body.nodeTypes.find((n) => n.type === 'flow.wait')?.source).toBe('builtin');
    },
  );

  it.skipIf(skip)(
    'runs the package nodes inside a published journey end to end',
    async () => {
      const journey = slackJourney('signups', 'signed_up', {
        typeVersion: 2,
        config: {
          channel: '#sales',
          text: 'New signup {{ contact.email }}, code {{ contact.discount_code }}',
          mention: 'here',
        },
      });
      expect(
        (await t.api('POST', '/v1/journeys', { id: 'signups', name: 'Signups', definition: journey })).status,
      ).toBe(201);
      const published = await t.api('POST', '/v1/journeys/signups/publish');
      expect(published.status, JSON.stringify(published.body)).toBe(200);
      await t.api('POST', '/v1/events', { contactId: 'ann', event: 'signed_up' });

      const ann = await eventually(
        async () => {
          const c = await t.api<{ attributes: Record<string, unknown> }>('GET', '/v1/contacts/ann');
          return c.body.attributes.signups_posted === undefined ? undefined : c.body.attributes;
        },
        20_000,
        'the Slack step to finish',
      );
      expect(ann.signups_posted).toBe(true);
      const code = ann.discount_code as string;
      expect(code).toMatch(/^WELCOME-[A-Z2-9]{6}$/);
      const post = slack.posts.find((p) => p.body.text.includes('ann@example.test'));
      expect(post).toEqual({
        path: '/services/T000/B000/secret-path',
        idempotencyKey: expect.stringMatching(/^.+:slack:\d+$/),
        body: { channel: '#sales', text: `<!here> New signup ann@example.test, code ${code}` },
      });
      const stats = await t.api<{ nodes: Record<string, Record<string, number>> }>('GET', '/v1/journeys/signups/stats');
      expect(stats.body.nodes.code).toMatchObject({ entered: 1, left: 1 });
      expect(stats.body.nodes.slack).toMatchObject({ entered: 1, left: 1 });
      expect(stats.body.nodes.posted).toMatchObject({ left: 1 });
    },
    40_000,
  );

  it.skipIf(skip)(
    'keeps a journey published with version 1 of the Slack node running on version 1',
    async () => {
      const journey = slackJourney('legacy', 'upgraded', {
        typeVersion: 1,
        config: { channel: '#billing', message: 'Upgrade by {{ contact.email }}' },
      });
      await t.api('POST', '/v1/journeys', { id: 'legacy', name: 'Legacy', definition: journey });
      expect((await t.api('POST', '/v1/journeys/legacy/publish')).status).toBe(200);
      await t.api('POST', '/v1/events', { contactId: 'bob', event: 'upgraded' });
      const post = await eventually(
        async () => slack.posts.find((p) => p.body.channel === '#billing'),
        20_000,
        'the version 1 post',
      );
      // Version 1 has no mention: the text is posted as version 1 wrote it.
      expect(post.body.text).toBe('Upgrade by bob@example.test');
      const version = await t.api<{ definition: { nodes: { id: string; typeVersion?: number }[] } }>(
        'GET',
        '/v1/journeys/legacy/versions/1',
      );
      expect(version.body.definition.nodes.find((n) => n.id === 'slack')?.typeVersion).toBe(1);
    },
    40_000,
  );

  it.skipIf(skip)(
    'upgrades the draft of that journey to Slack version 2 through the package migration; version 1 stays published',
    async () => {
      // (The journey "legacy" was published with version 1 above.)
      const before = await t.api<{ upgrades: unknown[] }>('GET', '/v1/journeys/legacy');
      const slackUpgrade = { node: 'slack', type: 'acme.slackNotify', from: 1, to: 2 };
      expect(before.body.upgrades).toEqual([slackUpgrade]);
      const validated = await t.api<{ upgrades: unknown[] }>('POST', '/v1/journeys/legacy/validate');
      expect(validated.body.upgrades).toEqual([slackUpgrade]);

      const unknown = await t.api<ApiErrorBody>('POST', '/v1/journeys/legacy/draft/upgrade', { nodes: ['nope'] });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toBe('nodes[0]: the draft has no step "nope"');

      const res = await t.api<UpgradedDraft>('POST', '/v1/journeys/legacy/draft/upgrade', { nodes: ['slack'] });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ upgraded: [slackUpgrade], upgrades: [], problems: [] });
      const upgradedNode = {
        id: 'slack',
        type: 'acme.slackNotify',
        typeVersion: 2,
        config: { channel: '#billing', text: 'Upgrade by {{ contact.email }}', mention: 'none' },
      };
      expect(res.body.definition.nodes.find((n) => n.id === 'slack')).toEqual(upgradedNode);
      // Saved: the draft reads back upgraded, with nothing left to upgrade; again is a no-op.
      const after = await t.api<UpgradedDraft>('GET', '/v1/journeys/legacy');
      expect(after.body.definition.nodes.find((n) => n.id === 'slack')).toEqual(upgradedNode);
      expect(after.body.upgrades).toEqual([]);
      expect(after.body.liveVersion).toBe(1);
      const again = await t.api<UpgradedDraft>('POST', '/v1/journeys/legacy/draft/upgrade', {});
      expect(again.body).toMatchObject({ upgraded: [], upgrades: [] });

      // The published version is untouched; publishing the upgraded draft makes a new version.
      const v1 = await t.api<UpgradedDraft>('GET', '/v1/journeys/legacy/versions/1');
      expect(v1.body.definition.nodes.find((n) => n.id === 'slack')).toMatchObject({
        typeVersion: 1,
        config: { channel: '#billing', message: 'Upgrade by {{ contact.email }}' },
      });
      const published = await t.api<{ version: number }>('POST', '/v1/journeys/legacy/publish');
      expect(published.body.version).toBe(2);
      const v2 = await t.api<UpgradedDraft>('GET', '/v1/journeys/legacy/versions/2');
      expect(v2.body.definition.nodes.find((n) => n.id === 'slack')).toMatchObject({ typeVersion: 2 });
    },
    40_000,
  );

  it.skipIf(skip)(
    'refuses an upgrade whose migration throws or whose result the new version rejects, naming the step; nothing saved',
    async () => {
      const definition = {
        schemaVersion: 1,
        id: 'tallies',
        nodes: [
          { id: 'start', type: 'trigger.event', config: { event: 'tally' } },
          { id: 'good', type: 'fixture.tally', typeVersion: 1, config: { count: '3' } },
          { id: 'bad', type: 'fixture.tally', typeVersion: 1, config: { count: 'three' } },
          // A draft may hold what version 1 would refuse; version 2 refuses its migrated config too.
          { id: 'slack', type: 'acme.slackNotify', typeVersion: 1, config: { channel: '#ops' } },
        ],
        edges: [
          { from: 'start', to: 'good' },
          { from: 'good', to: 'bad' },
          { from: 'bad', to: 'slack' },
        ],
      };
      await t.api('POST', '/v1/journeys', { id: 'tallies', name: 'Tallies', definition });
      const draft = async () => (await t.api<UpgradedDraft>('GET', '/v1/journeys/tallies')).body;
      const original = await draft();
      expect(original.upgrades.map((u) => u.node)).toEqual(['good', 'bad', 'slack']);

      const all = await t.api<ApiErrorBody>('POST', '/v1/journeys/tallies/draft/upgrade', {});
      expect(all.status).toBe(422);
      expect(all.body.error.message).toBe(
        'cannot upgrade step "bad": migrating fixture.tally from version 1 to 2 failed: count "three" is not a number; nothing was changed',
      );
      expect(all.body.error.details?.problems.map((p) => p.nodeId)).toEqual(['bad', 'slack']);

      const slackOnly = await t.api<ApiErrorBody>('POST', '/v1/journeys/tallies/draft/upgrade', {
        nodes: ['slack'],
      });
      expect(slackOnly.status).toBe(422);
      expect(slackOnly.body.error.message).toMatch(/^cannot upgrade step "slack": Notify Slack version 2: text: /);
      expect(slackOnly.body.error.details?.problems).toEqual([
        expect.objectContaining({ code: 'invalid_config', nodeId: 'slack', path: ['text'] }),
      ]);
      // Nothing was saved by the refused upgrades, not even the step that could be upgraded.
      expect((await draft()).definition).toEqual(original.definition);

      const good = await t.api<UpgradedDraft>('POST', '/v1/journeys/tallies/draft/upgrade', { nodes: ['good'] });
      expect(good.status).toBe(200);
      expect(good.body.definition.nodes.find((n) => n.id === 'good')).toMatchObject({
        typeVersion: 2,
        config: { count: 3 },
      });
      expect(good.body.upgrades.map((u) => u.node)).toEqual(['bad', 'slack']);
    },
    40_000,
  );

  it.skipIf(skip)(
    'fails only the Slack step when Slack refuses the post: the run leaves through failed',
    async () => {
      const journey = slackJourney('lost', 'lost', { typeVersion: 2, config: { channel: '#nowhere', text: 'x' } });
      await t.api('POST', '/v1/journeys', { id: 'lost', name: 'Lost', definition: journey });
      await t.api('POST', '/v1/journeys/lost/publish');
      await t.api('POST', '/v1/events', { contactId: 'cid', event: 'lost' });
      const cid = await eventually(
        async () => {
          const c = await t.api<{ attributes: Record<string, unknown> }>('GET', '/v1/contacts/cid');
          return c.body.attributes.lost_posted === undefined ? undefined : c.body.attributes;
        },
        20_000,
        'the failed Slack step',
      );
      expect(cid.lost_posted).toBe(false);
      const stats = await t.api<{ nodes: Record<string, Record<string, number>> }>('GET', '/v1/journeys/lost/stats');
      expect(stats.body.nodes.slack).toMatchObject({ 'left:failed': 1 });
      // The runtime is still serving.
      expect((await t.api('GET', '/v1/node-types')).status).toBe(200);
    },
    40_000,
  );
});

describe.each(kinds)('badly behaved package nodes in a real runtime (%s)', (kind) => {
  const skip = backend(kind).skip;
  let t: TestRuntime;

  beforeAll(async () => {
    if (skip) return;
    t = await startTestRuntime(kind, { nodePackages: [fixture('node-package-spin')] });
    await t.api('POST', '/v1/contacts', {
      contacts: [
        { id: 'dee', email: 'dee@example.test' },
        { id: 'eve', email: 'eve@example.test' },
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it.skipIf(skip).each([
    { how: 'loop', contact: 'dee', code: 'node_timeout' },
    { how: 'throw', contact: 'eve', code: 'node_failed' },
  ])(
    'fails only the step of a node set to $how, visible in stats, and keeps serving',
    async ({ how, contact, code }) => {
      const id = `spin-${how}`;
      const definition = {
        schemaVersion: 1,
        id,
        nodes: [
          { id: 'start', type: 'trigger.event', config: { event: id } },
          { id: 'spin', type: 'spin.forever', config: { how } },
          { id: 'done', type: 'flow.exit', config: {} },
        ],
        edges: [
          { from: 'start', to: 'spin' },
          { from: 'spin', to: 'done' },
        ],
      };
      await t.api('POST', '/v1/journeys', { id, name: id, definition });
      expect((await t.api('POST', `/v1/journeys/${id}/publish`)).status).toBe(200);
      await t.api('POST', '/v1/events', { contactId: contact, event: id });
      const stats = await eventually(
        async () => {
          const s = await t.api<{ nodes: Record<string, Record<string, number>> }>('GET', `/v1/journeys/${id}/stats`);
          return s.body.nodes.spin?.[`failed:${code}`] ? s.body.nodes.spin : undefined;
        },
        20_000,
        `the ${code} step`,
      );
      expect(stats[`failed:${code}`]).toBe(1);
      expect((await t.api('GET', '/health', undefined, { key: '' })).status).toBe(200);
    },
    40_000,
  );
});

describe('broken node packages are refused at start', () => {
  it.each([
    {
      name: 'a package that takes over another package’s node type',
      packages: [slackPackage, fixture('node-package-clashing')],
      culprit: fixture('node-package-clashing'),
      problem: `node type acme.slackNotify belongs to ${slackPackage}`,
    },
    {
      name: 'a package with a malformed node type',
      packages: [fixture('node-package-malformed')],
      culprit: fixture('node-package-malformed'),
      problem: 'node type fixture.malformed: execute must be a function; config must be a zod schema',
    },
    {
      name: 'a package that is not installed',
      packages: ['@acme/waymark-nowhere'],
      culprit: '@acme/waymark-nowhere',
      problem: 'cannot be found from',
    },
  ])('refuses $name, naming the package and the problem', async ({ packages, culprit, problem }) => {
    const error = await startRuntime(testConfig({ nodePackages: packages })).then(
      async (r) => {
        await r.stop();
        return undefined;
      },
      (e: unknown) => e as Error,
    );
    expect(error?.message.startsWith(`node package ${culprit}: `), error?.message).toBe(true);
    expect(error?.message).toContain(problem);
  });
});
