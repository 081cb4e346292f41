import type { XYPosition } from '@xyflow/react';
import { newNodeId } from '../app/journey-doc.ts';
import { edgeIdOf, type JourneyDoc, type StepEdge, type StepNode } from './editor-state.ts';

/** Copied steps and the connections among them, detached from any document. */
export interface Clip {
  nodes: StepNode[];
  edges: StepEdge[];
}

/** How far each paste moves the copies from the originals, so they do not hide them. */
export const pasteOffset: XYPosition = { x: 40, y: 40 };

/**
 * The selected steps and the connections between two of them (a connection to a step left behind
 * has nowhere to go in a paste). Null when nothing is selected.
 */
export function copySelection(doc: Pick<JourneyDoc, 'nodes' | 'edges'>): Clip | null {
  const nodes = doc.nodes.filter((n) => n.selected);
  if (nodes.length === 0) return null;
  const ids = new Set(nodes.map((n) => n.id));
  return {
    nodes: nodes.map((n) => ({
      id: n.id,
      type: n.type,
      position: { ...n.position },
      data: structuredClone(n.data),
    })),
    edges: doc.edges
      .filter((e) => ids.has(e.source) && ids.has(e.target))
      .map((e) => ({ id: e.id, source: e.source, target: e.target, sourceHandle: e.sourceHandle ?? 'next' })),
  };
}

/**
 * The steps and connections a paste adds: every step under a fresh id (never one of `taken`), with
 * its config and label, moved by `offset`; the connections among them rewired to the new ids.
 */
export function pasteClip(clip: Clip, taken: Iterable<string>, offset: XYPosition = pasteOffset): Clip {
  const used = new Set(taken);
  const renamed = new Map<string, string>();
  const nodes = clip.nodes.map((n) => {
    const id = newNodeId(n.data.type, used);
    used.add(id);
    renamed.set(n.id, id);
    return {
      ...n,
      id,
      position: { x: n.position.x + offset.x, y: n.position.y + offset.y },
      data: structuredClone(n.data),
    };
  });
  const edges: StepEdge[] = [];
  for (const e of clip.edges) {
    const source = renamed.get(e.source);
    const target = renamed.get(e.target);
    if (source === undefined || target === undefined) continue;
    const port = e.sourceHandle ?? 'next';
    edges.push({ id: edgeIdOf(source, port, target), source, target, sourceHandle: port });
  }
  return { nodes, edges };
}
