import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartJourney, cartTemplates } from '../support/journeys.ts';
import { backend, type DatabaseKind, eventually, startTestRuntime, type TestRuntime } from '../support/runtime.ts';

const kinds: DatabaseKind[] = ['pglite', 'postgres'];

describe.each(kinds)('journeys API and scheduler on %s', (kind) => {
  const skip = backend(kind).skip;
  let t: TestRuntime;

  beforeAll(async () => {
    if (skip) return;
    t = await startTestRuntime(kind);
    for (const template of cartTemplates) expect((await t.api('POST', '/v1/templates', template)).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it.skipIf(skip)(
    'publishes a journey, enrols on an event, waits, and queues the email',
    async () => {
      const created = await t.api('POST', '/v1/journeys', { id: 'cart', name: 'Cart', definition: cartJourney() });
      expect(created.status).toBe(201);
      const published = await t.api<{ version: number; created: boolean; hash: string }>(
        'POST',
        '/v1/journeys/cart/publish',
      );
      expect(published.status).toBe(200);
      expect(published.body).toMatchObject({ version: 1, created: true });
      const again = await t.api<{ version: number; created: boolean }>('POST', '/v1/journeys/cart/publish');
      expect(again.body).toMatchObject({ version: 1, created: false });

      await t.api('POST', '/v1/contacts', {
        contacts: [
          { id: 'ann', email: 'ann@example.com', attributes: { plan: 'free' } },
          { id: 'bob', email: 'bob@example.com', attributes: { plan: 'pro' } },
        ],
      });
      const sent = await t.api<{ accepted: number }>('POST', '/v1/events', {
        events: [
          { contactId: 'ann', event: 'cart_abandoned' },
          { contactId: 'bob', event: 'cart_abandoned' },
        ],
      });
      expect(sent.status).toBe(202);
      expect(sent.body.accepted).toBe(2);

      // Right after the event both wait at wait1h; then the reminder is queued for each.
      const stats = await eventually(
        async () => {
          const s = await t.api<{ nodes: Record<string, Record<string, number>> }>('GET', '/v1/journeys/cart/stats');
          return (s.body.nodes.remind?.left ?? 0) >= 2 ? s.body : undefined;
        },
        15_000,
        'both reminders',
      );
      expect(stats.nodes.start).toMatchObject({ entered: 2, left: 2 });
      expect(stats.nodes.wait1h?.left).toBe(2);

      // Bob completes the order: the goal ends his run; Ann times out and leaves through vip:no.
      await t.api('POST', '/v1/events', { contactId: 'bob', event: 'order_completed' });
      const final = await eventually(
        async () => {
          const s = await t.api<{ nodes: Record<string, Record<string, number>> }>('GET', '/v1/journeys/cart/stats');
          return (s.body.nodes.done?.exited ?? 0) >= 1 && (s.body.nodes.bought?.goal ?? 0) >= 1 ? s.body : undefined;
        },
        15_000,
        'goal and timeout',
      );
      expect(final.nodes.bought?.goal).toBe(1);
      expect(final.nodes.vip?.['left:no']).toBe(1);
      expect(final.nodes.coupon).toBeUndefined();
    },
    40_000,
  );

  it.skipIf(skip)(
    'resumes a run waiting for an event through the event port, and times out the others',
    async () => {
      const def = {
        schemaVersion: 1,
        id: 'onboard',
        nodes: [
          { id: 'signup', type: 'trigger.event', config: { event: 'signed_up' } },
          {
            id: 'activated',
            type: 'flow.waitForEvent',
            config: { event: 'project_created', where: { attribute: 'size', op: 'gte', value: 2 }, timeout: 'PT2S' },
          },
          { id: 'tagActive', type: 'action.updateContact', config: { set: { stage: 'active' } } },
          { id: 'tagStuck', type: 'action.updateContact', config: { set: { stage: 'stuck' } } },
          { id: 'end', type: 'flow.exit', config: {} },
        ],
        edges: [
          { from: 'signup', to: 'activated' },
          { from: 'activated', port: 'event', to: 'tagActive' },
          { from: 'activated', port: 'timeout', to: 'tagStuck' },
          { from: 'tagActive', to: 'end' },
          { from: 'tagStuck', to: 'end' },
        ],
      };
      await t.api('POST', '/v1/journeys', { id: 'onboard', name: 'Onboarding', definition: def });
      expect((await t.api('POST', '/v1/journeys/onboard/publish')).status).toBe(200);
      await t.api('POST', '/v1/events', {
        events: [
          { contactId: 'dan', event: 'signed_up' },
          { contactId: 'eva', event: 'signed_up' },
        ],
      });
      // A project of size 1 does not match the wait's condition; size 3 does.
      await t.api('POST', '/v1/events', {
        events: [
          { contactId: 'dan', event: 'project_created', properties: { size: 1 } },
          { contactId: 'dan', event: 'project_created', properties: { size: 3 } },
        ],
      });
      const stages = await eventually(
        async () => {
          const [dan, eva] = await Promise.all(
            ['dan', 'eva'].map((id) => t.api<{ attributes: { stage?: string } }>('GET', `/v1/contacts/${id}`)),
          );
          return dan?.body.attributes.stage && eva?.body.attributes.stage
            ? [dan.body.attributes.stage, eva.body.attributes.stage]
            : undefined;
        },
        20_000,
        'both stages',
      );
      expect(stages).toEqual(['active', 'stuck']);
      const stats = await t.api<{ nodes: Record<string, Record<string, number>> }>('GET', '/v1/journeys/onboard/stats');
      expect(stats.body.nodes.activated).toMatchObject({ entered: 2, 'left:event': 1, 'left:timeout': 1 });
    },
    40_000,
  );

  it.skipIf(skip)('refuses to publish an invalid journey and names every problem', async () => {
    const bad = cartJourney();
    bad.nodes[1] = { id: 'wait1h', type: 'flow.wait', config: { duration: 'soon' } };
    bad.edges = bad.edges.filter((e) => e.from !== 'vip');
    await t.api('POST', '/v1/journeys', { id: 'bad', name: 'Bad', definition: { ...bad, id: 'bad' } });
    const res = await t.api<{
      error: { code: string; details: { problems: { code: string; nodeId?: string; path?: unknown[] }[] } };
    }>('POST', '/v1/journeys/bad/publish');
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('journey_invalid');
    const codes = res.body.error.details.problems.map((p) => `${p.code}@${p.nodeId}`);
    expect(codes).toEqual(expect.arrayContaining(['invalid_config@wait1h', 'dangling_port@vip']));
    const validated = await t.api<{ valid: boolean; problems: unknown[] }>('POST', '/v1/journeys/bad/validate');
    expect(validated.body.valid).toBe(false);
    expect(validated.body.problems.length).toBe(res.body.error.details.problems.length);
  });

  it.skipIf(skip)(
    'refuses to publish a journey that sends a template the workspace lacks, naming step and template',
    async () => {
      const missing = cartJourney();
      missing.nodes[5] = { id: 'coupon', type: 'action.sendEmail', config: { template: 'no-such-coupon' } };
      await t.api('POST', '/v1/journeys', {
        id: 'notemplate',
        name: 'No template',
        definition: { ...missing, id: 'notemplate' },
      });
      const res = await t.api<{
        error: {
          code: string;
          message: string;
          details: { problems: { code: string; nodeId?: string; path?: unknown[] }[] };
        };
      }>('POST', '/v1/journeys/notemplate/publish');
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('journey_invalid');
      expect(res.body.error.message).toContain('coupon');
      expect(res.body.error.message).toContain('no-such-coupon');
      expect(res.body.error.details.problems).toEqual([
        {
          code: 'unknown_template',
          nodeId: 'coupon',
          path: ['template'],
          message: 'template "no-such-coupon" does not exist',
        },
      ]);
      expect((await t.api<{ versions: unknown[] }>('GET', '/v1/journeys/notemplate/versions')).body.versions).toEqual(
        [],
      );
      // Once the template exists, the same draft publishes.
      const created = await t.api('POST', '/v1/templates', { ...cartTemplates[1], id: 'no-such-coupon' });
      expect(created.status).toBe(201);
      expect((await t.api('POST', '/v1/journeys/notemplate/publish')).status).toBe(200);
    },
  );

  it.skipIf(skip)('refuses to publish a segment trigger naming a segment the workspace lacks', async () => {
    const definition = {
      id: 'nosegment',
      nodes: [
        { id: 'entered', type: 'trigger.segment', config: { segment: 'big-spenders' } },
        { id: 'done', type: 'flow.exit', config: {} },
      ],
      edges: [{ from: 'entered', port: 'next', to: 'done' }],
    };
    expect((await t.api('POST', '/v1/journeys', { id: 'nosegment', name: 'No segment', definition })).status).toBe(201);
    const res = await t.api<{ error: { code: string; message: string; details: { problems: unknown[] } } }>(
      'POST',
      '/v1/journeys/nosegment/publish',
    );
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('journey_invalid');
    expect(res.body.error.message).toBe('step "entered": segment "big-spenders" does not exist');
    expect(res.body.error.details.problems).toEqual([
      {
        code: 'unknown_segment',
        nodeId: 'entered',
        path: ['segment'],
        message: 'segment "big-spenders" does not exist',
      },
    ]);
    const condition = { attribute: 'plan', op: 'eq', value: 'pro' };
    const created = await t.api('POST', '/v1/segments', { id: 'big-spenders', name: 'Big spenders', condition });
    expect(created.status).toBe(201);
    expect((await t.api('POST', '/v1/journeys/nosegment/publish')).status).toBe(200);
  });

  it.skipIf(skip)('keeps a draft separate from the live version and lists versions', async () => {
    const draft = cartJourney('PT5M');
    const saved = await t.api<{ problems: unknown[]; liveVersion: number }>('PUT', '/v1/journeys/cart/draft', {
      definition: draft,
      layout: { nodes: { start: { x: 1, y: 2 } } },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.problems).toEqual([]);
    expect(saved.body.liveVersion).toBe(1);
    const v2 = await t.api<{ version: number }>('POST', '/v1/journeys/cart/publish');
    expect(v2.body.version).toBe(2);
    const versions = await t.api<{ versions: { version: number }[] }>('GET', '/v1/journeys/cart/versions');
    expect(versions.body.versions.map((v) => v.version)).toEqual([2, 1]);
    const v1 = await t.api<{ definition: { nodes: { config: { duration?: string } }[] } }>(
      'GET',
      '/v1/journeys/cart/versions/1',
    );
    expect(v1.body.definition.nodes[1]?.config.duration).toBe('PT1S');
  });

  it.skipIf(skip)('pauses and resumes; a paused journey enrols nobody', async () => {
    expect((await t.api('POST', '/v1/journeys/cart/pause')).status).toBe(200);
    const enrol = await t.api('POST', '/v1/journeys/cart/enrol', { contactIds: ['ann'] });
    expect(enrol.status).toBe(409);
    const resumed = await t.api<{ status: string }>('POST', '/v1/journeys/cart/resume');
    expect(resumed.body.status).toBe('active');
  });

  it.skipIf(skip)('enrols contacts manually into a journey with a manual trigger', async () => {
    const def = {
      schemaVersion: 1,
      id: 'manual',
      nodes: [
        { id: 'go', type: 'trigger.manual', config: {} },
        { id: 'tag', type: 'action.updateContact', config: { set: { vip: true } } },
        { id: 'end', type: 'flow.exit', config: {} },
      ],
      edges: [
        { from: 'go', to: 'tag' },
        { from: 'tag', to: 'end' },
      ],
    };
    await t.api('POST', '/v1/journeys', { id: 'manual', name: 'Manual', definition: def });
    await t.api('POST', '/v1/journeys/manual/publish');
    const unknown = await t.api<{ error: { code: string; message: string } }>('POST', '/v1/journeys/manual/enrol', {
      contactIds: ['nobody'],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('contactIds');
    const ok = await t.api('POST', '/v1/journeys/manual/enrol', { contactIds: ['ann'] });
    expect(ok.status).toBe(202);
    const contact = await eventually(async () => {
      const c = await t.api<{ attributes: Record<string, unknown> }>('GET', '/v1/contacts/ann');
      return c.body.attributes.vip === true ? c.body : undefined;
    });
    expect(contact.attributes).toMatchObject({ plan: 'free', vip: true });
  });
});
