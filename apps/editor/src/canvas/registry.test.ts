import { compileGraph, defaultRegistry, type NodeTypeDescription } from '@waymark/nodes';
import { describe, expect, it } from 'vitest';
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

describe('registryFor', () => {
  it('validates custom node types it only knows by description', () => {
    const registry = registryFor([...defaultRegistry().describe(), slack]);
    const graph = (config: Record<string, unknown>) => ({
      id: 'j',
      nodes: [
        { id: 't', position: { x: 0, y: 0 }, data: { type: 'trigger.manual', config: {} } },
        { id: 's', position: { x: 0, y: 0 }, data: { type: 'acme.slack', config } },
        { id: 'x', position: { x: 0, y: 0 }, data: { type: 'flow.exit', config: {} } },
      ],
      edges: [
        { id: 'e1', source: 't', target: 's', sourceHandle: 'next' },
        { id: 'e2', source: 's', target: 'x', sourceHandle: 'next' },
      ],
    });
    expect(compileGraph(graph({ channel: '#sales' }), registry).problems).toEqual([]);
    const bad = compileGraph(graph({}), registry).problems;
    expect(bad.map((p) => [p.code, p.nodeId])).toEqual([['invalid_config', 's']]);
  });
});
