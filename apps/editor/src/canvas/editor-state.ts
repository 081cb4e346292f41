import type { JourneySettings, PortsSpec } from '@waymark/nodes';
import {
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type Edge,
  type EdgeChange,
  type Node,
  type NodeChange,
  type XYPosition,
} from '@xyflow/react';
import { portMoves } from './port-edges.ts';

/** What a canvas node carries: exactly the `data` of `@waymark/nodes`' GraphNode. */
export type StepData = {
  type: string;
  typeVersion?: number;
  config?: Record<string, unknown>;
  label?: string;
};
/** A step on the canvas. */
export type StepNode = Node<StepData, 'waymark'>;
/** A connection on the canvas; `sourceHandle` is the output port. */
export type StepEdge = Edge;

/** The part of the editor's state that is saved, undone and redone. */
export interface JourneyDoc {
  name: string;
  settings: JourneySettings;
  nodes: StepNode[];
  edges: StepEdge[];
}

/** The editor's state: the document, its history, and a revision that counts document changes. */
export interface EditorState {
  doc: JourneyDoc;
  past: JourneyDoc[];
  future: JourneyDoc[];
  /** The last history entry may absorb edits with the same key made soon after (typing). */
  coalesce: { key: string; at: number } | null;
  /** The document when a drag began; a drag that moved something becomes one history entry. */
  dragOrigin: JourneyDoc | null;
  /** Increases with every change to the document (not with selection changes). */
  revision: number;
}

/** Everything that changes the editor's state. */
export type EditorAction =
  | { type: 'load'; doc: JourneyDoc }
  | { type: 'nodesChange'; changes: NodeChange<StepNode>[] }
  | { type: 'edgesChange'; changes: EdgeChange<StepEdge>[] }
  | { type: 'connect'; connection: Connection }
  | { type: 'addNode'; node: StepNode; into?: { edgeId: string; port: string | undefined } }
  /** Adds steps and connections (a paste) as one history entry; they become the selection. */
  | { type: 'insert'; nodes: StepNode[]; edges: StepEdge[] }
  /** Moves steps (an auto-layout) as one history entry. */
  | { type: 'moveNodes'; positions: ReadonlyMap<string, XYPosition> }
  /**
   * Changes a step's data. With the node type's `ports`, connections follow the outputs its config
   * defines: a renamed output keeps its connection, a removed one loses it, in the same history entry.
   */
  | {
      type: 'updateNode';
      id: string;
      data: Partial<StepData>;
      ports?: PortsSpec | undefined;
      coalesceKey?: string;
      now?: number;
    }
  | { type: 'updateJourney'; patch: Partial<Pick<JourneyDoc, 'name' | 'settings'>>; coalesceKey?: string; now?: number }
  | { type: 'select'; nodeIds: readonly string[]; edgeIds?: readonly string[] }
  | { type: 'checkpoint' }
  | { type: 'dragStart' }
  | { type: 'dragStop' }
  | { type: 'deleteSelection' }
  | { type: 'undo' }
  | { type: 'redo' };

const historyLimit = 200;
const coalesceMs = 1200;

/** A fresh editor state holding `doc`, with no history. */
export function initialEditorState(doc: JourneyDoc): EditorState {
  return { doc, past: [], future: [], coalesce: null, dragOrigin: null, revision: 0 };
}

/** The id a new edge gets: the same `from:port->to` key problems name edges by. */
export function edgeIdOf(source: string, port: string, target: string): string {
  return `${source}:${port}->${target}`;
}

function commit(state: EditorState, doc: JourneyDoc, coalesceKey?: string, now = Date.now()): EditorState {
  const absorb =
    coalesceKey !== undefined &&
    state.coalesce?.key === coalesceKey &&
    now - state.coalesce.at < coalesceMs &&
    state.past.length > 0;
  return {
    ...state,
    doc,
    past: absorb ? state.past : [...state.past, state.doc].slice(-historyLimit),
    future: [],
    coalesce: coalesceKey === undefined ? null : { key: coalesceKey, at: now },
    revision: state.revision + 1,
  };
}

function samePositions(a: JourneyDoc, b: JourneyDoc): boolean {
  if (a.nodes.length !== b.nodes.length) return false;
  return a.nodes.every((n, i) => {
    const m = b.nodes[i];
    return m !== undefined && m.id === n.id && m.position.x === n.position.x && m.position.y === n.position.y;
  });
}

/** Keeps today's selection when an older document comes back through undo or redo. */
function withSelection(doc: JourneyDoc, current: JourneyDoc): JourneyDoc {
  const nodes = new Set(current.nodes.filter((n) => n.selected).map((n) => n.id));
  const edges = new Set(current.edges.filter((e) => e.selected).map((e) => e.id));
  return {
    ...doc,
    nodes: doc.nodes.map((n) => ({ ...n, selected: nodes.has(n.id) })),
    edges: doc.edges.map((e) => ({ ...e, selected: edges.has(e.id) })),
  };
}

/** The editor's reducer: every change, and which changes become undoable history entries. */
export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  const { doc } = state;
  switch (action.type) {
    case 'load':
      return initialEditorState(action.doc);
    case 'nodesChange': {
      const nodes = applyNodeChanges(action.changes, doc.nodes);
      const next = { ...doc, nodes };
      const meaningful = action.changes.some(
        (c) => c.type === 'remove' || c.type === 'add' || c.type === 'replace' || c.type === 'position',
      );
      if (!meaningful) return { ...state, doc: next };
      // Removals follow a checkpoint (onBeforeDelete); drags are recorded when they stop.
      const removesOnly = action.changes.every((c) => c.type === 'remove');
      const dragging = state.dragOrigin !== null;
      if (removesOnly || dragging) return { ...state, doc: next, revision: state.revision + 1 };
      // Keyboard moves (arrow keys) of the selection coalesce into one entry.
      const moves = action.changes.every((c) => c.type === 'position');
      return commit(state, next, moves ? 'move' : undefined);
    }
    case 'edgesChange': {
      const edges = applyEdgeChanges(action.changes, doc.edges);
      const removes = action.changes.some((c) => c.type === 'remove');
      return removes
        ? { ...state, doc: { ...doc, edges }, revision: state.revision + 1 }
        : { ...state, doc: { ...doc, edges } };
    }
    case 'connect': {
      const { source, target } = action.connection;
      const port = action.connection.sourceHandle ?? 'next';
      const id = edgeIdOf(source, port, target);
      if (doc.edges.some((e) => e.id === id)) return state;
      // An output leads to one step: connecting it again moves the connection.
      const edges = doc.edges.filter((e) => !(e.source === source && (e.sourceHandle ?? 'next') === port));
      edges.push({ id, source, target, sourceHandle: port, targetHandle: action.connection.targetHandle ?? null });
      return commit(state, { ...doc, edges });
    }
    case 'addNode': {
      const nodes = [...doc.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), action.node];
      const split = action.into && doc.edges.find((e) => e.id === action.into?.edgeId);
      if (!split || !action.into) return commit(state, { ...doc, nodes });
      // Dropped on a connection: the new step goes in between, through its first output.
      const id = action.node.id;
      const from = split.sourceHandle ?? 'next';
      const edges = doc.edges.filter((e) => e.id !== split.id);
      edges.push({ id: edgeIdOf(split.source, from, id), source: split.source, target: id, sourceHandle: from });
      const out = action.into.port;
      if (out !== undefined)
        edges.push({ id: edgeIdOf(id, out, split.target), source: id, target: split.target, sourceHandle: out });
      return commit(state, { ...doc, nodes, edges });
    }
    case 'insert': {
      if (action.nodes.length === 0) return state;
      const nodes = [
        ...doc.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
        ...action.nodes.map((n) => ({ ...n, selected: true })),
      ];
      const edges = [...doc.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...action.edges];
      return commit(state, { ...doc, nodes, edges });
    }
    case 'moveNodes': {
      let moved = false;
      const nodes = doc.nodes.map((n) => {
        const p = action.positions.get(n.id);
        if (!p || (p.x === n.position.x && p.y === n.position.y)) return n;
        moved = true;
        return { ...n, position: { x: p.x, y: p.y } };
      });
      return moved ? commit(state, { ...doc, nodes }) : state;
    }
    case 'updateNode': {
      const nodes = doc.nodes.map((n) => (n.id === action.id ? { ...n, data: { ...n.data, ...action.data } } : n));
      for (const n of nodes) if (n.data.label === '') delete n.data.label;
      const before = doc.nodes.find((n) => n.id === action.id);
      let edges = doc.edges;
      if (before && action.ports && action.data.config !== undefined) {
        const portOf = (e: StepEdge) => e.sourceHandle ?? 'next';
        const own = doc.edges.filter((e) => e.source === action.id).map(portOf);
        const { renamed, removed } = portMoves(action.ports, before.data.config, action.data.config, own);
        if (renamed.size > 0 || removed.size > 0)
          edges = doc.edges.flatMap((e) => {
            if (e.source !== action.id) return [e];
            if (removed.has(portOf(e))) return [];
            const to = renamed.get(portOf(e));
            return to === undefined ? [e] : [{ ...e, id: edgeIdOf(e.source, to, e.target), sourceHandle: to }];
          });
      }
      return commit(state, { ...doc, nodes, edges }, action.coalesceKey, action.now);
    }
    case 'updateJourney':
      return commit(state, { ...doc, ...action.patch }, action.coalesceKey, action.now);
    case 'select': {
      const nodeIds = new Set(action.nodeIds);
      const edgeIds = new Set(action.edgeIds ?? []);
      return {
        ...state,
        doc: {
          ...doc,
          nodes: doc.nodes.map((n) => (n.selected === nodeIds.has(n.id) ? n : { ...n, selected: nodeIds.has(n.id) })),
          edges: doc.edges.map((e) => (e.selected === edgeIds.has(e.id) ? e : { ...e, selected: edgeIds.has(e.id) })),
        },
      };
    }
    case 'checkpoint':
      return { ...state, past: [...state.past, doc].slice(-historyLimit), future: [], coalesce: null };
    case 'dragStart':
      return { ...state, dragOrigin: doc };
    case 'dragStop': {
      const origin = state.dragOrigin;
      if (!origin) return state;
      if (samePositions(origin, doc)) return { ...state, dragOrigin: null };
      return {
        ...state,
        dragOrigin: null,
        past: [...state.past, origin].slice(-historyLimit),
        future: [],
        coalesce: null,
        revision: state.revision + 1,
      };
    }
    case 'deleteSelection': {
      const gone = new Set(doc.nodes.filter((n) => n.selected).map((n) => n.id));
      const nodes = doc.nodes.filter((n) => !gone.has(n.id));
      const edges = doc.edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
      if (nodes.length === doc.nodes.length && edges.length === doc.edges.length) return state;
      return commit(state, { ...doc, nodes, edges });
    }
    case 'undo': {
      const previous = state.past[state.past.length - 1];
      if (!previous) return state;
      return {
        ...state,
        doc: withSelection(previous, doc),
        past: state.past.slice(0, -1),
        future: [doc, ...state.future],
        coalesce: null,
        revision: state.revision + 1,
      };
    }
    case 'redo': {
      const next = state.future[0];
      if (!next) return state;
      return {
        ...state,
        doc: withSelection(next, doc),
        past: [...state.past, doc],
        future: state.future.slice(1),
        coalesce: null,
        revision: state.revision + 1,
      };
    }
  }
}
