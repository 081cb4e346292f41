import type { Problem } from '../errors.ts';
import {
  currentSchemaVersion,
  edgeKey,
  type JourneyDefinition,
  type JourneyEdge,
  type JourneyLayout,
  type JourneyNode,
  type JourneySettings,
} from '../schema/definition.ts';
import type { NodeRegistry } from '../sdk/registry.ts';
import { type PreparedJourney, validateJourney } from './validate.ts';

/** A canvas node as the editor (React Flow) holds it; only `data.type`/`data.config` carry meaning. */
export interface GraphNode {
  id: string;
  position: { x: number; y: number };
  data: { type: string; typeVersion?: number; config?: Record<string, unknown>; label?: string };
  type?: string;
}

/** A canvas edge as the editor (React Flow) holds it; `sourceHandle` names the output port. */
export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

/** The editor's graph plus the journey's identity and settings. */
export interface JourneyGraph {
  id: string;
  name?: string;
  settings?: JourneySettings;
  nodes: readonly GraphNode[];
  edges: readonly GraphEdge[];
  viewport?: { x: number; y: number; zoom: number };
}

/** Canvas presentation kept beside a definition: positions, and a label a marketer gave a node. */
export interface GraphLayout extends JourneyLayout {
  nodes: Record<string, { x: number; y: number; label?: string }>;
}

/** The outcome of compiling a graph: the definition, its layout, and problems located by graph ids. */
export interface CompileResult {
  definition: JourneyDefinition;
  layout: GraphLayout;
  problems: Problem[];
  journey: PreparedJourney | undefined;
}

/** Splits the editor's graph into a definition (semantics) and a layout (positions). */
export function graphToDefinition(graph: JourneyGraph): { definition: JourneyDefinition; layout: GraphLayout } {
  const nodes: JourneyNode[] = graph.nodes.map((n) => ({
    id: n.id,
    type: n.data.type,
    typeVersion: n.data.typeVersion ?? 1,
    config: n.data.config ?? {},
  }));
  const edges: JourneyEdge[] = graph.edges.map((e) =>
    e.sourceHandle && e.sourceHandle !== 'next'
      ? { from: e.source, port: e.sourceHandle, to: e.target }
      : { from: e.source, to: e.target },
  );
  const layout: GraphLayout = { nodes: {} };
  for (const n of graph.nodes)
    layout.nodes[n.id] =
      n.data.label === undefined
        ? { x: n.position.x, y: n.position.y }
        : { x: n.position.x, y: n.position.y, label: n.data.label };
  if (graph.viewport) layout.viewport = graph.viewport;
  const definition: JourneyDefinition = {
    schemaVersion: currentSchemaVersion,
    id: graph.id,
    settings: graph.settings ?? {},
    nodes,
    edges,
  };
  if (graph.name !== undefined) definition.name = graph.name;
  return { definition, layout };
}

/** Rebuilds the editor's graph from a definition and its layout; edges get their `from:port->to` key as id. */
export function definitionToGraph(definition: JourneyDefinition, layout?: Partial<GraphLayout>): JourneyGraph {
  const nodes: GraphNode[] = definition.nodes.map((n, i) => {
    const place = layout?.nodes?.[n.id];
    const data: GraphNode['data'] = { type: n.type, typeVersion: n.typeVersion ?? 1, config: n.config };
    if (place?.label !== undefined) data.label = place.label;
    return { id: n.id, type: 'waymark', position: place ? { x: place.x, y: place.y } : { x: 0, y: i * 120 }, data };
  });
  const edges: GraphEdge[] = definition.edges.map((e) => ({
    id: edgeKey(e),
    source: e.from,
    target: e.to,
    sourceHandle: e.port ?? 'next',
  }));
  const graph: JourneyGraph = { id: definition.id, settings: definition.settings, nodes, edges };
  if (definition.name !== undefined) graph.name = definition.name;
  if (layout?.viewport) graph.viewport = layout.viewport;
  return graph;
}

/**
 * Compiles the editor's graph: splits it into definition and layout, validates the definition, and
 * reports problems with the graph's own edge ids so the canvas can paint them.
 */
export function compileGraph(graph: JourneyGraph, registry: NodeRegistry): CompileResult {
  const { definition, layout } = graphToDefinition(graph);
  const byKey = new Map<string, string>();
  definition.edges.forEach((e, i) => {
    const key = edgeKey(e);
    if (!byKey.has(key)) byKey.set(key, (graph.edges[i] as GraphEdge).id);
  });
  const result = validateJourney(definition, registry);
  const problems = result.problems.map((p) => {
    if (p.edgeId === undefined) return p;
    const id = byKey.get(p.edgeId);
    return id === undefined ? p : { ...p, edgeId: id };
  });
  return { definition, layout, problems, journey: result.ok ? result.journey : undefined };
}
