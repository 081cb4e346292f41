import { describe, expect, it } from 'vitest';
import { registry } from '../test-util.ts';
import { compileGraph, definitionToGraph, graphToDefinition, type JourneyGraph } from './graph.ts';

const graph: JourneyGraph = {
  id: 'welcome',
  name: 'Welcome',
  settings: { timezone: 'Europe/Warsaw' },
  viewport: { x: 10, y: -20, zoom: 0.75 },
  nodes: [
    {
      id: 'start',
      type: 'waymark',
      position: { x: 0, y: 0 },
      data: { type: 'trigger.event', config: { event: 'signed_up' } },
    },
    {
      id: 'check',
      type: 'waymark',
      position: { x: 0, y: 120 },
      data: { type: 'flow.condition', config: { if: { attribute: 'plan', op: 'eq', value: 'pro' } }, label: 'Pro?' },
    },
    {
      id: 'mail',
      type: 'waymark',
      position: { x: -150.5, y: 240 },
      data: { type: 'action.sendEmail', typeVersion: 1, config: { template: 'welcome-pro' } },
    },
    { id: 'end', type: 'waymark', position: { x: 0, y: 360 }, data: { type: 'flow.exit' } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'check', sourceHandle: null },
    { id: 'e2', source: 'check', target: 'mail', sourceHandle: 'yes' },
    { id: 'e3', source: 'check', target: 'end', sourceHandle: 'no' },
    { id: 'e4', source: 'mail', target: 'end', sourceHandle: 'next' },
  ],
};

describe('graphToDefinition', () => {
  const { definition, layout } = graphToDefinition(graph);

  it('keeps the semantics in the definition', () => {
    expect(definition).toEqual({
      schemaVersion: 1,
      id: 'welcome',
      name: 'Welcome',
      settings: { timezone: 'Europe/Warsaw' },
      nodes: [
        { id: 'start', type: 'trigger.event', typeVersion: 1, config: { event: 'signed_up' } },
        {
          id: 'check',
          type: 'flow.condition',
          typeVersion: 1,
          config: { if: { attribute: 'plan', op: 'eq', value: 'pro' } },
        },
        { id: 'mail', type: 'action.sendEmail', typeVersion: 1, config: { template: 'welcome-pro' } },
        { id: 'end', type: 'flow.exit', typeVersion: 1, config: {} },
      ],
      edges: [
        { from: 'start', to: 'check' },
        { from: 'check', port: 'yes', to: 'mail' },
        { from: 'check', port: 'no', to: 'end' },
        { from: 'mail', to: 'end' },
      ],
    });
  });

  it('keeps positions, labels and the viewport in the layout only', () => {
    expect(layout).toEqual({
      nodes: {
        start: { x: 0, y: 0 },
        check: { x: 0, y: 120, label: 'Pro?' },
        mail: { x: -150.5, y: 240 },
        end: { x: 0, y: 360 },
      },
      viewport: { x: 10, y: -20, zoom: 0.75 },
    });
    expect(JSON.stringify(definition)).not.toMatch(/position|"x"|label|viewport/);
  });

  it('gives a graph without settings empty settings', () => {
    const { settings: _, ...bare } = graph;
    expect(graphToDefinition(bare).definition.settings).toEqual({});
  });
});

describe('definitionToGraph', () => {
  it('rebuilds the graph from a definition and its layout', () => {
    const { definition, layout } = graphToDefinition(graph);
    const rebuilt = definitionToGraph(definition, layout);
    expect(rebuilt).toEqual({
      ...graph,
      nodes: graph.nodes.map((n) => ({ ...n, data: { typeVersion: 1, config: {}, ...n.data } })),
      edges: [
        { id: 'start:next->check', source: 'start', target: 'check', sourceHandle: 'next' },
        { id: 'check:yes->mail', source: 'check', target: 'mail', sourceHandle: 'yes' },
        { id: 'check:no->end', source: 'check', target: 'end', sourceHandle: 'no' },
        { id: 'mail:next->end', source: 'mail', target: 'end', sourceHandle: 'next' },
      ],
    });
  });

  it('places nodes without a stored position in a column', () => {
    const { definition } = graphToDefinition(graph);
    expect(definitionToGraph(definition).nodes.map((n) => n.position)).toEqual([
      { x: 0, y: 0 },
      { x: 0, y: 120 },
      { x: 0, y: 240 },
      { x: 0, y: 360 },
    ]);
  });
});

describe('compileGraph', () => {
  it('compiles a valid graph to a prepared journey', () => {
    const result = compileGraph(graph, registry);
    expect(result.problems).toEqual([]);
    expect(result.journey?.triggers.map((t) => t.node.id)).toEqual(['start']);
    expect(result.definition).toEqual(graphToDefinition(graph).definition);
    expect(result.layout).toEqual(graphToDefinition(graph).layout);
  });

  it("reports edge problems with the canvas's own edge ids", () => {
    const broken: JourneyGraph = {
      ...graph,
      edges: [
        ...graph.edges,
        { id: 'e5', source: 'check', target: 'end', sourceHandle: 'maybe' },
        { id: 'e6', source: 'mail', target: 'check' },
        { id: 'e7', source: 'ghost', target: 'end' },
      ],
    };
    const result = compileGraph(broken, registry);
    expect(result.journey).toBeUndefined();
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'unknown_port', edgeId: 'e5', nodeId: 'check' }),
        expect.objectContaining({ code: 'duplicate_port_edge', edgeId: 'e6', nodeId: 'mail' }),
        expect.objectContaining({ code: 'edge_from_missing_node', edgeId: 'e7' }),
      ]),
    );
  });

  it('reports node problems with the node id and config path', () => {
    const broken: JourneyGraph = {
      ...graph,
      nodes: graph.nodes.map((n) =>
        n.id === 'mail' ? { ...n, data: { type: 'action.sendEmail', config: { template: '' } } } : n,
      ),
    };
    expect(compileGraph(broken, registry).problems).toContainEqual(
      expect.objectContaining({ code: 'invalid_config', nodeId: 'mail', path: ['template'] }),
    );
  });
});
