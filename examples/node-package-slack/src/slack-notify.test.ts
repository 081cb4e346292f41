import {
  advance,
  defaultRegistry,
  type JourneyDefinitionInput,
  upgradeNodeConfig,
  validateJourney,
} from '@waymark/nodes';
import { checkConfig, runNode } from '@waymark/nodes/testing';
import { describe, expect, it } from 'vitest';
import { nodeTypes } from './index.ts';
import { slackNotify, slackNotifyV1 } from './slack-notify.ts';

describe('acme.slackNotify version 2', () => {
  it.each([
    { channel: '#sales', text: 'New lead: {{ contact.email }}' },
    { channel: 'sales', text: 'x', mention: 'here' },
    { channel: '@ann', text: 'Hi {{ contact.first_name | default: "there" }}', mention: 'channel' },
  ])('accepts %j', (config) => {
    expect(checkConfig(slackNotify, config)).toEqual([]);
  });

  it.each([
    { name: 'no channel', config: { text: 'x' }, path: ['channel'] },
    { name: 'a channel with spaces', config: { channel: '#big sales', text: 'x' }, path: ['channel'] },
    { name: 'empty text', config: { channel: '#s', text: '' }, path: ['text'] },
    { name: 'text over 3000 characters', config: { channel: '#s', text: 'x'.repeat(3001) }, path: ['text'] },
    { name: 'an unknown mention', config: { channel: '#s', text: 'x', mention: 'everyone' }, path: ['mention'] },
    { name: 'a malformed merge tag', config: { channel: '#s', text: 'Hi {{ first_name }}' }, path: ['text'] },
    {
      name: 'the webhook URL in the config',
      config: { channel: '#s', text: 'x', url: 'https://hooks.slack.com/x' },
      path: [],
    },
  ])('rejects $name', ({ config, path }) => {
    expect(checkConfig(slackNotify, config)).toContainEqual(expect.objectContaining({ code: 'invalid_config', path }));
  });

  it('asks the runtime to post and waits for the outcome', () => {
    const r = runNode(slackNotify, {
      config: { channel: '#sales', text: 'New lead {{ contact.email }}', mention: 'here' },
    });
    expect(r.port).toBeUndefined();
    expect(r.wait?.event).toEqual({ name: 'effect.result', forThisNode: true });
    expect(r.effects).toEqual([
      { kind: 'acme.slack', channel: '#sales', text: 'New lead {{ contact.email }}', mention: 'here' },
    ]);
  });

  it('leaves through next when the post succeeded and through failed when it did not', () => {
    const config = { channel: '#sales', text: 'x' };
    expect(runNode(slackNotify, { config, outcome: { ok: true, output: { status: 200 } } }).port).toBe('next');
    const failed = runNode(slackNotify, {
      config,
      outcome: { ok: false, error: { code: 'slack_rejected', message: 'Slack answered 404: channel_not_found' } },
    });
    expect(failed.port).toBe('failed');
    expect(failed.output).toEqual({
      error: { code: 'slack_rejected', message: 'Slack answered 404: channel_not_found' },
    });
  });

  it('uses the same idempotency key on every delivery of the same step', () => {
    const a = runNode(slackNotify, { config: { channel: '#s', text: 'x' }, contact: { id: 'ann' } });
    const b = runNode(slackNotify, { config: { channel: '#s', text: 'x' }, contact: { id: 'ann' } });
    expect(a.keys).toEqual(b.keys);
    expect(a.keys[0]).toMatch(/^ann:1:node:\d+$/);
  });

  it('omits the mention when there is none', () => {
    expect(runNode(slackNotify, { config: { channel: '#s', text: 'x' } }).effects[0]).not.toHaveProperty('mention');
  });
});

describe('versions', () => {
  it('migrates a version 1 config to version 2', () => {
    const registry = defaultRegistry().register(nodeTypes, 'slack');
    expect(upgradeNodeConfig(registry, 'acme.slackNotify', 1, { channel: '#sales', message: 'Hi' })).toEqual({
      ok: true,
      version: 2,
      config: { channel: '#sales', text: 'Hi', mention: 'none' },
    });
  });

  it('keeps running version 1 as it was', () => {
    const r = runNode(slackNotifyV1, { config: { channel: '#sales', message: 'Hi' }, alongside: [slackNotify] });
    expect(r.effects).toEqual([{ kind: 'acme.slack', channel: '#sales', text: 'Hi' }]);
    expect(checkConfig(slackNotifyV1, { channel: '#sales', text: 'Hi' })).not.toEqual([]);
  });

  it('runs a journey pinned to version 1 on version 1 while version 2 is installed', () => {
    const registry = defaultRegistry().register(nodeTypes, '@waymark-examples/node-package-slack');
    const journey = (node: Record<string, unknown>): JourneyDefinitionInput => ({
      schemaVersion: 1,
      id: 'pinned',
      nodes: [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'slack', type: 'acme.slackNotify', ...node },
        { id: 'end', type: 'flow.exit', config: {} },
      ],
      edges: [
        { from: 'start', to: 'slack' },
        { from: 'slack', to: 'end' },
        { from: 'slack', port: 'failed', to: 'end' },
      ],
    });
    const run = (definition: JourneyDefinitionInput) => {
      const v = validateJourney(definition, registry);
      if (!v.ok) throw new Error(JSON.stringify(v.problems));
      return advance(v.journey, undefined, { kind: 'manual' }, { now: 0, contact: { id: 'ann', attributes: {} } });
    };
    // A journey saved before version 2 existed has no typeVersion: it is version 1.
    const old = run(journey({ config: { channel: '#sales', message: 'Hi' } }));
    const pinned = run(journey({ typeVersion: 1, config: { channel: '#sales', message: 'Hi' } }));
    const current = run(journey({ typeVersion: 2, config: { channel: '#sales', text: 'Hi', mention: 'here' } }));
    expect(old.effects.map((e) => e.effect)).toEqual([{ kind: 'acme.slack', channel: '#sales', text: 'Hi' }]);
    expect(pinned.effects.map((e) => e.effect)).toEqual([{ kind: 'acme.slack', channel: '#sales', text: 'Hi' }]);
    expect(current.effects.map((e) => e.effect)).toEqual([
      { kind: 'acme.slack', channel: '#sales', text: 'Hi', mention: 'here' },
    ]);
    // Version 2's fields are not accepted on a node pinned to version 1.
    expect(validateJourney(journey({ typeVersion: 1, config: { channel: '#s', text: 'Hi' } }), registry).ok).toBe(
      false,
    );
  });
});
