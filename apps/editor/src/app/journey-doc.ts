import {
  currentSchemaVersion,
  definitionToGraph,
  type GraphLayout,
  type JourneyDefinition,
  type JourneyGraph,
} from '@waymark/nodes';
import type { Viewport } from '@xyflow/react';
import type { JourneyDoc, StepEdge, StepNode } from '../canvas/editor-state.ts';

/** The canvas document of a stored definition and layout (a draft or a published version). */
export function docOf(
  id: string,
  name: string,
  definition: Record<string, unknown> | undefined,
  layout: Record<string, unknown> | undefined,
): { doc: JourneyDoc; viewport: Viewport | undefined } {
  const raw = definition ?? {};
  const safe = {
    schemaVersion: currentSchemaVersion,
    settings: {},
    ...raw,
    id,
    nodes: Array.isArray(raw.nodes) ? raw.nodes : [],
    edges: Array.isArray(raw.edges) ? raw.edges : [],
  } as JourneyDefinition;
  const graph = definitionToGraph(safe, (layout ?? {}) as Partial<GraphLayout>);
  const nodes: StepNode[] = graph.nodes.map((n) => ({
    id: n.id,
    type: 'waymark',
    position: n.position,
    data: { ...n.data, config: n.data.config ?? {} },
  }));
  const edges: StepEdge[] = graph.edges.map((e) => ({
    id: e.id,
    source: e.source,
    target: e.target,
    sourceHandle: e.sourceHandle ?? 'next',
  }));
  const v = graph.viewport;
  const viewport =
    v && Number.isFinite(v.x) && Number.isFinite(v.y) && Number.isFinite(v.zoom) && v.zoom > 0 ? v : undefined;
  return { doc: { name, settings: graph.settings ?? {}, nodes, edges }, viewport };
}

/** The `@waymark/nodes` graph of a canvas document, ready for `compileGraph` or `graphToDefinition`. */
export function graphOf(id: string, doc: JourneyDoc, viewport?: Viewport): JourneyGraph {
  const graph: JourneyGraph = {
    id,
    name: doc.name,
    settings: doc.settings,
    nodes: doc.nodes.map((n) => ({ id: n.id, position: n.position, data: n.data })),
    edges: doc.edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      sourceHandle: e.sourceHandle ?? null,
    })),
  };
  if (viewport) graph.viewport = viewport;
  return graph;
}

/** An id for a new step: the last part of its type and the first free number, e.g. `sendEmail2`. */
export function newNodeId(type: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base = (type.split('.').pop() ?? 'step').replace(/[^a-zA-Z0-9_-]/g, '') || 'step';
  for (let n = 1; ; n++) if (!used.has(`${base}${n}`)) return `${base}${n}`;
}
