import { portsOf } from '@waymark/nodes';
import { useReactFlow } from '@xyflow/react';
import { type Dispatch, type RefObject, useCallback, useMemo, useRef } from 'react';
import { nodeWidth } from './canvas.tsx';
import { type Clip, copySelection, pasteClip, pasteOffset } from './clipboard.ts';
import type { EditorAction, JourneyDoc } from './editor-state.ts';
import { type LayoutNode, layoutJourney } from './layout.ts';
import type { NodeTypeCatalog } from './registry.ts';

// One clipboard for every editor on the page, so steps copied in one journey paste into another.
let clipboard: Clip | null = null;

/** Props of {@link useCanvasTools}. */
export interface CanvasToolsOptions {
  docRef: RefObject<JourneyDoc>;
  dispatch: Dispatch<EditorAction>;
  catalog: NodeTypeCatalog;
  /** False while the canvas is read only: nothing is pasted, duplicated or moved. */
  editable: boolean;
}

/** The canvas's copy, paste, duplicate and auto-layout commands, each one undoable entry. */
export function useCanvasTools({ docRef, dispatch, catalog, editable }: CanvasToolsOptions) {
  const flow = useReactFlow();
  const pastes = useRef(0);

  const copy = useCallback((): number => {
    const clip = copySelection(docRef.current);
    if (!clip) return 0;
    clipboard = clip;
    pastes.current = 0;
    return clip.nodes.length;
  }, [docRef]);

  const insert = useCallback(
    (clip: Clip, times: number) => {
      const offset = { x: pasteOffset.x * times, y: pasteOffset.y * times };
      const pasted = pasteClip(
        clip,
        docRef.current.nodes.map((n) => n.id),
        offset,
      );
      dispatch({ type: 'insert', nodes: pasted.nodes, edges: pasted.edges });
    },
    [docRef, dispatch],
  );

  const paste = useCallback(() => {
    if (!editable || !clipboard) return;
    pastes.current += 1;
    insert(clipboard, pastes.current);
  }, [editable, insert]);

  const duplicate = useCallback(() => {
    if (!editable) return;
    const clip = copySelection(docRef.current);
    if (clip) insert(clip, 1);
  }, [editable, docRef, insert]);

  const layout = useCallback(async () => {
    const doc = docRef.current;
    if (!editable || doc.nodes.length === 0) return;
    const nodes: LayoutNode[] = doc.nodes.map((n) => {
      const d = catalog.get(n.data.type, n.data.typeVersion ?? 1) ?? catalog.get(n.data.type);
      return {
        id: n.id,
        width: n.measured?.width ?? nodeWidth,
        height: n.measured?.height ?? 90,
        ports: d ? portsOf(d.ports, n.data.config ?? {}).map((p) => p.id) : ['next'],
        hasInput: d?.category !== 'trigger',
      };
    });
    const edges = doc.edges.map((e) => ({ source: e.source, port: e.sourceHandle ?? 'next', target: e.target }));
    const origin = {
      x: Math.min(...doc.nodes.map((n) => n.position.x)),
      y: Math.min(...doc.nodes.map((n) => n.position.y)),
    };
    const positions = await layoutJourney(nodes, edges, origin);
    dispatch({ type: 'moveNodes', positions });
    // The new positions reach React Flow on the next render; fit the view to them after it.
    setTimeout(() => void flow.fitView({ duration: 250, maxZoom: 1, padding: 0.15 }), 50);
  }, [editable, docRef, catalog, dispatch, flow]);

  return useMemo(() => ({ copy, paste, duplicate, layout }), [copy, paste, duplicate, layout]);
}

/** True when something has been copied on this page. */
export function hasClipboard(): boolean {
  return clipboard !== null;
}
