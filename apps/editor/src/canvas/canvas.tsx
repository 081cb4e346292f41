import { type NodeTypeDescription, portsOf } from '@waymark/nodes';
import {
  Background,
  Controls,
  type DefaultEdgeOptions,
  MarkerType,
  MiniMap,
  type NodeTypes,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
  type Viewport,
  type XYPosition,
} from '@xyflow/react';
import { type Dispatch, type DragEvent, useCallback, useEffect, useMemo, useRef } from 'react';
import { format, useStrings } from '../strings.ts';
import { CanvasInfoProvider, useCanvasInfo } from './canvas-context.ts';
import type { EditorAction, JourneyDoc, StepEdge } from './editor-state.ts';
import { paletteMime } from './palette.tsx';
import type { NodeTypeCatalog } from './registry.ts';
import { StepNodeCard } from './step-node.tsx';

const nodeTypes: NodeTypes = { waymark: StepNodeCard };
const defaultEdgeOptions: DefaultEdgeOptions = { markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 } };
const categoryColor: Record<string, string> = {
  trigger: '#0e9f6e',
  flow: '#3f83f8',
  action: '#9061f9',
  ai: '#e3a008',
};

/** Width of a step card, so a dropped step lands centred under the pointer. */
export const nodeWidth = 220;

/** How an edge is painted besides its problems and simulation: a class and a label. */
export interface EdgeMark {
  className?: string;
  label?: string;
  title?: string;
}

/** The key comparison and analytics name an edge by, whatever its id. */
export const edgeKeyOf = (e: Pick<StepEdge, 'source' | 'sourceHandle' | 'target'>) =>
  `${e.source}:${e.sourceHandle ?? 'next'}->${e.target}`;

/** Props of {@link Canvas}. */
export interface CanvasProps {
  doc: JourneyDoc;
  dispatch: Dispatch<EditorAction>;
  catalog: NodeTypeCatalog;
  /** Edges the compiler reported a problem on. */
  problemEdges: ReadonlySet<string>;
  /** Edges the simulation took; null outside simulation. */
  visitedEdges: ReadonlySet<string> | null;
  /** Extra classes and labels of edges (comparison, analytics), by `source:port->target`. */
  edgeMarks?: ReadonlyMap<string, EdgeMark> | undefined;
  /** Connections shown but not part of the document (those the draft removed), never selectable. */
  ghostEdges?: readonly StepEdge[] | undefined;
  readOnly: boolean;
  defaultViewport: Viewport | undefined;
  /** A palette item was dropped: where, and the connection it was dropped on, if any. */
  onDropType: (description: NodeTypeDescription, position: XYPosition, edgeId: string | undefined) => void;
}

/**
 * The journey canvas (React Flow): steps, connections between ports, drop target of the palette,
 * delete key, minimap, zoom controls. The document lives in the editor's reducer.
 */
export function Canvas(props: CanvasProps) {
  const { doc, dispatch, catalog, problemEdges, visitedEdges, readOnly, defaultViewport, onDropType } = props;
  const { edgeMarks, ghostEdges } = props;
  const s = useStrings();
  const flow = useReactFlow();
  const initialized = useNodesInitialized();
  const fitted = useRef(defaultViewport !== undefined);
  // Without a saved viewport, show the whole journey once its steps have been measured.
  useEffect(() => {
    if (!initialized || fitted.current) return;
    fitted.current = true;
    void flow.fitView({ maxZoom: 1, padding: 0.15 });
  }, [initialized, flow]);

  const info = useCanvasInfo();
  const { problemsByNode } = info;
  // A connection from a port the step lacks is drawn from a marked handle, so it can be seen and deleted.
  const missingPorts = useMemo(() => {
    const map = new Map<string, string[]>();
    const byId = new Map(doc.nodes.map((n) => [n.id, n]));
    for (const e of doc.edges) {
      const n = byId.get(e.source);
      const d = n && (catalog.get(n.data.type, n.data.typeVersion ?? 1) ?? catalog.get(n.data.type));
      if (!n || !d) continue;
      const port = e.sourceHandle ?? 'next';
      if (portsOf(d.ports, n.data.config ?? {}).some((p) => p.id === port)) continue;
      const list = map.get(n.id) ?? [];
      if (!list.includes(port)) map.set(n.id, [...list, port]);
    }
    return map;
  }, [doc.nodes, doc.edges, catalog]);
  const cardInfo = useMemo(() => ({ ...info, missingPorts }), [info, missingPorts]);
  // Each card (a role=group) is named by its title, its type and its problems, for screen readers.
  const nodes = useMemo(
    () =>
      doc.nodes.map((n) => {
        const d = catalog.get(n.data.type, n.data.typeVersion ?? 1) ?? catalog.get(n.data.type);
        const type = d?.title ?? n.data.type;
        const name = n.data.label ? format(s.stepCardNamed, { title: n.data.label, type }) : type;
        const count = problemsByNode.get(n.id)?.length ?? 0;
        const ariaLabel = count > 0 ? `${name}, ${format(s.problemCount, { count })}` : name;
        return n.ariaLabel === ariaLabel ? n : { ...n, ariaLabel };
      }),
    [doc.nodes, catalog, problemsByNode, s.stepCardNamed, s.problemCount],
  );
  const ariaLabelConfig = useMemo(
    () => ({
      'node.a11yDescription.default': s.nodeKeyboardHelp,
      'node.a11yDescription.keyboardDisabled': s.nodeKeyboardHelp,
      'node.a11yDescription.ariaLiveMessage': ({ direction, x, y }: { direction: string; x: number; y: number }) =>
        format(s.nodeMoved, { direction, x, y }),
      'edge.a11yDescription.default': s.edgeKeyboardHelp,
      'controls.ariaLabel': s.canvasControls,
      'controls.zoomIn.ariaLabel': s.zoomIn,
      'controls.zoomOut.ariaLabel': s.zoomOut,
      'controls.fitView.ariaLabel': s.showWholeJourney,
      'controls.interactive.ariaLabel': s.toggleInteractivity,
      'minimap.ariaLabel': s.miniMap,
      'handle.ariaLabel': s.port,
    }),
    [s],
  );
  const rootRef = useRef<HTMLDivElement>(null);
  // React Flow's attribution stays visible (its authors ask those who hide it to subscribe) but
  // out of the keyboard's way: it is a link to their site, not part of editing a journey.
  useEffect(() => {
    for (const a of rootRef.current?.querySelectorAll('.react-flow__attribution a') ?? [])
      a.setAttribute('tabindex', '-1');
  });

  const edges = useMemo(() => {
    const shown: StepEdge[] = doc.edges.map((e) => {
      const problem = problemEdges.has(e.id);
      const visited = visitedEdges?.has(e.id) ?? false;
      const mark = edgeMarks?.get(edgeKeyOf(e));
      const className = [
        problem ? 'wm-edge-problem' : '',
        visited ? 'wm-edge-visited' : '',
        visitedEdges && !visited ? 'wm-edge-dim' : '',
        mark?.className ?? '',
      ]
        .filter(Boolean)
        .join(' ');
      if (className === '' && mark?.label === undefined) return e;
      return {
        ...e,
        className,
        animated: visited,
        ...(mark?.label === undefined ? {} : { label: mark.label, ariaLabel: mark.title ?? mark.label }),
      };
    });
    for (const g of ghostEdges ?? [])
      shown.push({
        ...g,
        id: `ghost:${g.id}`,
        className: `wm-edge-ghost ${edgeMarks?.get(edgeKeyOf(g))?.className ?? ''}`,
        selectable: false,
        deletable: false,
        focusable: false,
      });
    return shown;
  }, [doc.edges, problemEdges, visitedEdges, edgeMarks, ghostEdges]);

  const onDragOver = useCallback(
    (e: DragEvent) => {
      if (readOnly || !e.dataTransfer.types.includes(paletteMime)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
    },
    [readOnly],
  );
  const onDrop = useCallback(
    (e: DragEvent) => {
      const payload = e.dataTransfer.getData(paletteMime);
      if (readOnly || !payload) return;
      e.preventDefault();
      const at = payload.lastIndexOf('@');
      const description = catalog.get(payload.slice(0, at), Number(payload.slice(at + 1)));
      if (!description) return;
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      // The connection under the pointer, found in this editor's own (shadow) root.
      const root = (e.currentTarget as HTMLElement).getRootNode() as Document | ShadowRoot;
      const hit = root
        .elementsFromPoint(e.clientX, e.clientY)
        .map((el) => el.closest('.react-flow__edge'))
        .find((el) => el !== null);
      onDropType(description, { x: p.x - nodeWidth / 2, y: p.y - 30 }, hit?.getAttribute('data-id') ?? undefined);
    },
    [catalog, flow, onDropType, readOnly],
  );

  return (
    <div className="wm-canvas" ref={rootRef}>
      <CanvasInfoProvider value={cardInfo}>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          defaultEdgeOptions={defaultEdgeOptions}
          // A read-only canvas still selects and measures; nothing that changes the journey gets through.
          onNodesChange={(changes) => {
            const allowed = readOnly ? changes.filter((c) => c.type === 'select' || c.type === 'dimensions') : changes;
            if (allowed.length > 0) dispatch({ type: 'nodesChange', changes: allowed });
          }}
          onEdgesChange={(changes) => {
            const allowed = readOnly ? changes.filter((c) => c.type === 'select') : changes;
            if (allowed.length > 0) dispatch({ type: 'edgesChange', changes: allowed });
          }}
          onConnect={(connection) => {
            if (!readOnly) dispatch({ type: 'connect', connection });
          }}
          onBeforeDelete={async () => {
            dispatch({ type: 'checkpoint' });
            return true;
          }}
          onNodeDragStart={() => dispatch({ type: 'dragStart' })}
          onNodeDragStop={() => dispatch({ type: 'dragStop' })}
          onDragOver={onDragOver}
          onDrop={onDrop}
          isValidConnection={(c) => c.source !== c.target}
          nodesDraggable={!readOnly}
          nodesConnectable={!readOnly}
          edgesReconnectable={false}
          deleteKeyCode={readOnly ? null : ['Backspace', 'Delete']}
          // Shift-click adds steps to the selection (as Ctrl/⌘-click does); Shift-drag draws a selection box.
          multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
          selectionKeyCode="Shift"
          defaultViewport={defaultViewport ?? { x: 0, y: 0, zoom: 1 }}
          minZoom={0.2}
          maxZoom={2}
          aria-label={s.canvas}
          ariaLabelConfig={ariaLabelConfig}
        >
          <Background gap={20} />
          <MiniMap
            pannable
            zoomable
            ariaLabel={s.miniMap}
            nodeColor={(n) => categoryColor[catalog.get(String(n.data.type))?.category ?? ''] ?? '#9ca3af'}
          />
          <Controls showInteractive={false} />
        </ReactFlow>
      </CanvasInfoProvider>
      {doc.nodes.length === 0 && <p className="wm-empty-canvas">{s.emptyCanvas}</p>}
    </div>
  );
}
