import type { XYPosition } from '@xyflow/react';
import type { ElkNode } from 'elkjs/lib/elk-api.js';

/** A step as the layout sees it: its size, its output ports left to right, and whether it has an input. */
export interface LayoutNode {
  id: string;
  width: number;
  height: number;
  ports: readonly string[];
  hasInput: boolean;
}

/** A connection from a step's output port to another step. */
export interface LayoutEdge {
  source: string;
  port: string;
  target: string;
}

/** The part of elkjs the layout uses, so tests and the browser can pass the same engine in. */
export interface LayoutEngine {
  layout(graph: ElkNode): Promise<ElkNode>;
}

const options = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.spacing.nodeNode': '60',
  'elk.layered.spacing.nodeNodeBetweenLayers': '70',
  'elk.spacing.componentComponent': '80',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.edgeRouting': 'ORTHOGONAL',
};

const portId = (node: string, port: string) => `${node}\u0000${port}`;
const inputPort = (node: string) => `${node}\u0000\u0000in`;

/**
 * The ELK graph of a journey: outputs sit where the cards draw them (spread along the bottom edge
 * in port order, fixed), and the input in the middle of the top edge, so the layered algorithm
 * keeps yes left of no and variant A left of B instead of crossing them.
 */
export function elkGraphOf(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): ElkNode {
  const known = new Map(nodes.map((n) => [n.id, n]));
  const extraPorts = new Map<string, string[]>();
  for (const e of edges) {
    const n = known.get(e.source);
    if (n && !n.ports.includes(e.port)) extraPorts.set(n.id, [...(extraPorts.get(n.id) ?? []), e.port]);
  }
  return {
    id: 'journey',
    layoutOptions: options,
    children: nodes.map((n) => {
      const outs = [...n.ports, ...(extraPorts.get(n.id) ?? [])];
      return {
        id: n.id,
        width: n.width,
        height: n.height,
        layoutOptions: { 'elk.portConstraints': 'FIXED_POS' },
        ports: [
          ...(n.hasInput
            ? [
                {
                  id: inputPort(n.id),
                  x: n.width / 2,
                  y: 0,
                  width: 1,
                  height: 1,
                  layoutOptions: { 'elk.port.side': 'NORTH' },
                },
              ]
            : []),
          ...outs.map((p, i) => ({
            id: portId(n.id, p),
            x: ((i + 0.5) / outs.length) * n.width,
            y: n.height,
            width: 1,
            height: 1,
            layoutOptions: { 'elk.port.side': 'SOUTH' },
          })),
        ],
      };
    }),
    edges: edges
      .filter((e) => known.has(e.source) && known.has(e.target) && e.source !== e.target)
      .map((e, i) => ({
        id: `e${i}`,
        sources: [portId(e.source, e.port)],
        targets: [known.get(e.target)?.hasInput ? inputPort(e.target) : e.target],
      })),
  };
}

/** Loads the bundled (worker-free) elkjs on first use, so it stays out of the main bundle. */
export async function loadLayoutEngine(): Promise<LayoutEngine> {
  const mod: unknown = await import('elkjs/lib/elk.bundled.js');
  // elkjs is CommonJS: the class is the default export, or the module itself under plain Node.
  const ELK = ((mod as { default?: unknown }).default ?? mod) as new () => LayoutEngine;
  return new ELK();
}

/**
 * New positions for the steps, laid out top to bottom by ELK's layered algorithm and placed so the
 * layout's top-left corner stays where the journey's was (the view does not jump away).
 */
export async function layoutJourney(
  nodes: readonly LayoutNode[],
  edges: readonly LayoutEdge[],
  origin: XYPosition,
  engine?: LayoutEngine,
): Promise<Map<string, XYPosition>> {
  if (nodes.length === 0) return new Map();
  const elk = engine ?? (await loadLayoutEngine());
  const result = await elk.layout(elkGraphOf(nodes, edges));
  const placed = (result.children ?? []).map((c) => ({ id: c.id, x: c.x ?? 0, y: c.y ?? 0 }));
  const minX = Math.min(...placed.map((p) => p.x));
  const minY = Math.min(...placed.map((p) => p.y));
  return new Map(
    placed.map((p) => [p.id, { x: Math.round(origin.x + p.x - minX), y: Math.round(origin.y + p.y - minY) }]),
  );
}
