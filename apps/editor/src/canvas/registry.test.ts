import {
  compileGraph,
  defaultRegistry,
  defineNode,
  NodeRegistry,
  type NodeTypeDescription,
  nextPort,
} from '@waymark/nodes';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registryFor } from './registry.ts';

const slack: NodeTypeDescription = {
  type: 'acme.slack',
  version: 1,
  category: 'action',
  title: 'Post to Slack',
  description: 'Posts a message',
  icon: 'slack',
  waits: false,
  ports: [{ id: 'next', label: 'Next' }],
  configSchema: {
    type: 'object',
    properties: { channel: { type: 'string', minLength: 1 } },
    required: ['channel'],
    additionalProperties: false,
  },
  source: '@acme/waymark-nodes',
};

const graph = (config: Record<string, unknown>, type = 'acme.slack') => ({
  id: 'j',
  nodes: [
    { id: 't', position: { x: 0, y: 0 }, data: { type: 'trigger.manual', config: {} } },
    { id: 's', position: { x: 0, y: 0 }, data: { type, config } },
    { id: 'x', position: { x: 0, y: 0 }, data: { type: 'flow.exit', config: {} } },
  ],
  edges: [
    { id: 'e1', source: 't', target: 's', sourceHandle: 'next' },
    { id: 'e2', source: 's', target: 'x', sourceHandle: 'next' },
  ],
});

describe('registryFor', () => {
  it('validates custom node types it only knows by description', () => {
    const registry = registryFor([...defaultRegistry().describe(), slack]);
    expect(compileGraph(graph({ channel: '#sales' }), registry).problems).toEqual([]);
    const bad = compileGraph(graph({}), registry).problems;
    expect(bad.map((p) => [p.code, p.nodeId])).toEqual([['invalid_config', 's']]);
  });

  it("reports a package's own messages, which its description carries from zod", () => {
    const notify = defineNode({
      type: 'acme.notify',
      version: 1,
      category: 'action',
      title: 'Notify',
      description: 'Posts a message',
      icon: 'bell',
      config: z.object({
        channel: z.string().regex(/^#[a-z]+$/, 'must be a Slack channel such as #sales'),
        text: z.string().min(1),
        tags: z.array(z.string()).max(2, 'two tags at most'),
      }),
      ports: nextPort,
      execute: () => ({ go: 'next' }),
    });
    // Described as the runtime serves it: only JSON reaches the editor.
    const described = JSON.parse(
      JSON.stringify(new NodeRegistry().register([notify], '@acme/nodes').describe()),
    ) as NodeTypeDescription[];
    const registry = registryFor([...defaultRegistry().describe(), ...described]);
    const problems = compileGraph(
      graph({ channel: 'Sales', text: '', tags: ['a', 'b', 'c'] }, 'acme.notify'),
      registry,
    ).problems;
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      [['channel'], 'Notify: channel: must be a Slack channel such as #sales'],
      [['text'], expect.stringMatching(/^Notify: text: Too small/)],
      [['tags'], 'Notify: tags: two tags at most'],
    ]);
    expect(compileGraph(graph({ channel: '#sales', text: 'hi', tags: [] }, 'acme.notify'), registry).problems).toEqual(
      [],
    );
  });
});
