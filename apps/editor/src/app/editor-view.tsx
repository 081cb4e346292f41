import {
  compileGraph,
  type GraphLayout,
  graphToDefinition,
  type JourneyDefinition,
  missingReferenceProblems,
  type NodeTypeDescription,
  type Problem,
  portsOf,
  resourceReferences,
} from '@waymark/nodes';
import { ReactFlowProvider, useReactFlow, type XYPosition } from '@xyflow/react';
import {
  ArrowLeft,
  ChartColumn,
  ClipboardPaste,
  Copy,
  CopyPlus,
  FlaskConical,
  History,
  Keyboard,
  Maximize,
  Network,
  Redo2,
  Undo2,
  Upload,
} from 'lucide-react';
import { type ReactNode, useCallback, useEffect, useId, useMemo, useReducer, useRef, useState } from 'react';
import {
  type ApiClient,
  ApiError,
  type Journey,
  type JourneyVersion,
  type Segment,
  type TemplateSummary,
} from '../api/client.ts';
import { useApiData } from '../api/use-api-data.ts';
import { edgeCountOf, type NodeCounts, nodeCountsOf } from '../canvas/analytics.ts';
import { Canvas, type EdgeMark, edgeKeyOf, nodeWidth } from '../canvas/canvas.tsx';
import { CanvasInfoProvider } from '../canvas/canvas-context.ts';
import { editorReducer, initialEditorState, type JourneyDoc, type StepNode } from '../canvas/editor-state.ts';
import { Palette } from '../canvas/palette.tsx';
import { catalogOf, type NodeTypeCatalog, registryFor } from '../canvas/registry.ts';
import { hasClipboard, useCanvasTools } from '../canvas/use-canvas-tools.ts';
import { useJourneyStats } from '../canvas/use-journey-stats.ts';
import { diffVersions, type NodeDiff } from '../canvas/version-diff.ts';
import { ConfigPanel } from '../panels/config-panel.tsx';
import { problemText } from '../panels/problem-text.ts';
import { ProblemsPanel, type ShownProblem } from '../panels/problems-panel.tsx';
import { initialValue, type JsonSchema, type PortKeys } from '../panels/schema-form/json-schema.ts';
import { MergeTagAttributesProvider } from '../panels/schema-form/merge-tag-button.tsx';
import { SettingsPanel } from '../panels/settings-panel.tsx';
import { type SimulationHighlight, SimulationPanel } from '../panels/simulation-panel.tsx';
import { VersionsPanel } from '../panels/versions-panel.tsx';
import { SegmentsProvider } from '../segments/segment-input.tsx';
import { format, useStrings } from '../strings.ts';
import { attributesOf } from '../templates/merge-tags.ts';
import { TemplatesProvider } from '../templates/template-input.tsx';
import { docOf, graphOf, newNodeId } from './journey-doc.ts';
import { ShortcutsHelp } from './shortcuts-help.tsx';
import { useAutosave } from './use-autosave.ts';
import { useEditorShortcuts } from './use-shortcuts.ts';

/** What the host hears after every change: the definition, its layout and the compiler's problems. */
export interface JourneyChange {
  definition: JourneyDefinition;
  layout: GraphLayout;
  problems: Problem[];
}

/** Props of {@link EditorView}. */
export interface EditorViewProps {
  api: ApiClient;
  journeyId: string;
  onChange?: ((change: JourneyChange) => void) | undefined;
  onPublish?: ((version: JourneyVersion) => void) | undefined;
  /** Shows a way back to the journey list (the standalone app). */
  onBack?: (() => void) | undefined;
  /**
   * Takes the keyboard focus once loaded when nothing else has it (the standalone app, after a journey
   * was created or opened with Enter): an empty journey focuses the step search, others the editor itself.
   */
  autoFocus?: boolean | undefined;
}

interface Loaded {
  nodeTypes: NodeTypeDescription[];
  journey: Journey;
  access: 'admin' | 'edit' | 'read';
  /** The workspace's templates and segments; null when they could not be listed (then not checked). */
  templates: TemplateSummary[] | null;
  segments: Segment[] | null;
  /** Contact attribute names the merge-tag picker offers. */
  attributes: string[];
}

/** The journey editor: loads the journey and the node types, then shows the canvas and its panels. */
export function EditorView(props: EditorViewProps) {
  const s = useStrings();
  const { api, journeyId } = props;
  const { data: loaded, error } = useApiData(
    (): Promise<Loaded> =>
      Promise.all([
        api.nodeTypes(),
        api.journey(journeyId),
        api.workspace().then(
          (w) => w.access,
          () => 'edit' as const,
        ),
        api.templates().catch(() => null),
        api.contacts(100).then(attributesOf, () => attributesOf([])),
        api.segments().catch(() => null),
      ]).then(([nodeTypes, journey, access, templates, attributes, segments]) => ({
        nodeTypes,
        journey,
        access,
        templates,
        attributes,
        segments,
      })),
    [api, journeyId],
  );

  if (error)
    return (
      <p className="wm-page-message wm-field-error" role="alert">
        {error.status === 401 ? s.signInNeeded : error.message}
      </p>
    );
  if (loaded === null) return <p className="wm-page-message">{s.loading}</p>;
  return (
    <ReactFlowProvider>
      <TemplatesProvider value={loaded.templates ?? noTemplates}>
        <SegmentsProvider value={loaded.segments}>
          <MergeTagAttributesProvider value={loaded.attributes}>
            <LoadedEditor {...props} {...loaded} />
          </MergeTagAttributesProvider>
        </SegmentsProvider>
      </TemplatesProvider>
    </ReactFlowProvider>
  );
}

/** Keeps the same array while only positions change, so dragging does not recompile the journey. */
function useSemanticNodes(nodes: StepNode[]): StepNode[] {
  const ref = useRef(nodes);
  const prev = ref.current;
  const same = prev.length === nodes.length && prev.every((n, i) => n.id === nodes[i]?.id && n.data === nodes[i]?.data);
  if (!same) ref.current = nodes;
  return ref.current;
}

/** The newest version of a step's node type, if newer than the step's own. */
function newerVersionOf(catalog: NodeTypeCatalog, node: StepNode): number | undefined {
  const newest = catalog.get(node.data.type)?.version;
  return newest !== undefined && newest > (node.data.typeVersion ?? 1) ? newest : undefined;
}

function portKeysOf(d: NodeTypeDescription): PortKeys | undefined {
  return Array.isArray(d.ports) ? undefined : { array: d.ports.fromConfig, idKey: d.ports.idKey };
}

function LoadedEditor(props: EditorViewProps & Loaded) {
  const { api, journey, nodeTypes, access, onChange, onPublish, onBack, autoFocus, templates, segments } = props;
  const s = useStrings();
  const flow = useReactFlow();
  const rootRef = useRef<HTMLDivElement>(null);
  const nameId = useId();
  const catalog = useMemo(() => catalogOf(nodeTypes), [nodeTypes]);
  const registry = useMemo(() => registryFor(nodeTypes), [nodeTypes]);
  const initial = useMemo(() => docOf(journey.id, journey.name, journey.definition, journey.layout), [journey]);
  const [state, dispatch] = useReducer(editorReducer, initial.doc, initialEditorState);
  const { doc } = state;
  const docRef = useRef(doc);
  docRef.current = doc;
  const readOnly = access === 'read' || journey.status === 'archived';

  const [mode, setMode] = useState<'edit' | 'simulate'>('edit');
  const [versionsOpen, setVersionsOpen] = useState(false);
  const [versions, setVersions] = useState<JourneyVersion[] | undefined>(undefined);
  const [liveVersion, setLiveVersion] = useState(journey.liveVersion);
  const [viewing, setViewing] = useState<{ version: number; doc: JourneyDoc } | null>(null);
  // The step selected on a published version's canvas, shown read only in the side panel.
  const [viewedId, setViewedId] = useState<string | undefined>(undefined);
  const [highlight, setHighlight] = useState<SimulationHighlight | null>(null);
  const [publishing, setPublishing] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [serverProblems, setServerProblems] = useState<Problem[]>([]);
  const [comparing, setComparing] = useState<{ version: number; doc: JourneyDoc } | 'none' | null>(null);
  const [analyticsOn, setAnalyticsOn] = useState(false);
  const analytics = useJourneyStats(api, journey.id, analyticsOn);

  // Live validation: the same compiler the runtime validates with, on every change of meaning.
  const semanticNodes = useSemanticNodes(doc.nodes);
  const compiled = useMemo(
    () =>
      compileGraph(
        graphOf(journey.id, { name: doc.name, settings: doc.settings, nodes: semanticNodes, edges: doc.edges }),
        registry,
      ),
    [journey.id, doc.name, doc.settings, semanticNodes, doc.edges, registry],
  );
  // Templates and segments the steps name but the workspace lacks: the runtime refuses to publish them.
  const referenceProblems = useMemo(() => {
    const refs = resourceReferences(
      semanticNodes.map((n) => ({ id: n.id, ...n.data })),
      (type, version) => catalog.get(type, version)?.configSchema,
    );
    return missingReferenceProblems(refs, {
      ...(templates ? { template: new Set(templates.map((t) => t.id)) } : {}),
      ...(segments ? { segment: new Set(segments.map((g) => g.id)) } : {}),
    }).map((p) => {
      const id = refs.find((r) => r.nodeId === p.nodeId && r.path.join('.') === p.path?.join('.'))?.id ?? '';
      return { ...p, message: format(p.code === 'unknown_template' ? s.templateMissing : s.segmentMissing, { id }) };
    });
  }, [semanticNodes, catalog, templates, segments, s.templateMissing, s.segmentMissing]);
  const problems = useMemo(
    () => (referenceProblems.length === 0 ? compiled.problems : [...compiled.problems, ...referenceProblems]),
    [compiled.problems, referenceProblems],
  );
  const typeOfNode = useCallback(
    (id: string | undefined) => (id === undefined ? undefined : doc.nodes.find((n) => n.id === id)?.data.type),
    [doc.nodes],
  );
  const nodeTitle = useCallback(
    (n: StepNode) => n.data.label ?? catalog.get(n.data.type)?.title ?? n.data.type,
    [catalog],
  );
  const shown = useMemo<ShownProblem[]>(
    () =>
      problems.map((p) => {
        const type = typeOfNode(p.nodeId);
        let message = problemText(p, catalog, type, s);
        const node = p.nodeId === undefined ? undefined : doc.nodes.find((n) => n.id === p.nodeId);
        // The step is named beside the message, so the message need not start with its type's title.
        const typeTitle = type === undefined ? undefined : catalog.get(type)?.title;
        if (node && typeTitle && message.startsWith(`${typeTitle}: `)) message = message.slice(typeTitle.length + 2);
        return { problem: { ...p, message }, message, where: node ? nodeTitle(node) : undefined };
      }),
    // Only the problems' own inputs matter; doc.nodes changes on every drag frame.
    [problems, catalog, typeOfNode, s, nodeTitle, doc.nodes],
  );
  const shownServer = useMemo<ShownProblem[]>(
    () => serverProblems.map((p) => ({ problem: p, message: p.message, where: p.nodeId })),
    [serverProblems],
  );
  const problemsByNode = useMemo(() => {
    const map = new Map<string, Problem[]>();
    for (const { problem } of shown)
      if (problem.nodeId !== undefined) map.set(problem.nodeId, [...(map.get(problem.nodeId) ?? []), problem]);
    return map;
  }, [shown]);
  const problemEdges = useMemo(
    () => new Set(compiled.problems.flatMap((p) => (p.edgeId === undefined ? [] : [p.edgeId]))),
    [compiled.problems],
  );

  const payload = useCallback(() => {
    const current = docRef.current;
    const { definition, layout } = graphToDefinition(graphOf(journey.id, current, flow.getViewport()));
    return { name: current.name, definition, layout: layout as unknown as Record<string, unknown> };
  }, [flow, journey.id]);
  const autosave = useAutosave({ api, journeyId: journey.id, revision: state.revision, payload, enabled: !readOnly });

  useEffect(() => {
    if (state.revision === 0 || !onChange) return;
    const { layout } = graphToDefinition(graphOf(journey.id, docRef.current));
    onChange({ definition: compiled.definition, layout, problems });
  }, [state.revision, compiled, problems, onChange, journey.id]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: once, when the editor first shows
  useEffect(() => {
    const root = rootRef.current;
    if (!autoFocus || !root) return;
    const active = document.activeElement;
    if (active !== null && active !== document.body && active !== document.documentElement) return;
    const search = initial.doc.nodes.length === 0 ? root.querySelector<HTMLElement>('.wm-palette input') : null;
    (search ?? root).focus({ preventScroll: true });
  }, []);

  const undo = useCallback(() => dispatch({ type: 'undo' }), []);
  const redo = useCallback(() => dispatch({ type: 'redo' }), []);
  const canvasEditable = !(readOnly || viewing !== null || mode === 'simulate');
  const tools = useCanvasTools({ docRef, dispatch, catalog, editable: canvasEditable });
  const [canPaste, setCanPaste] = useState(hasClipboard);
  const copy = useCallback(() => {
    const n = tools.copy();
    if (n > 0) {
      setCanPaste(true);
      setNotice({ kind: 'ok', text: format(s.copied, { count: n }) });
    }
  }, [tools, s.copied]);
  const layout = useCallback(() => {
    tools.layout().catch((e: unknown) =>
      setNotice({
        kind: 'error',
        text: format(s.layoutFailed, { message: e instanceof Error ? e.message : String(e) }),
      }),
    );
  }, [tools, s.layoutFailed]);
  const selectAll = useCallback(
    () =>
      dispatch({
        type: 'select',
        nodeIds: docRef.current.nodes.map((n) => n.id),
        edgeIds: docRef.current.edges.map((e) => e.id),
      }),
    [],
  );
  const [helpOpen, setHelpOpen] = useState(false);
  const showHelp = useCallback(() => setHelpOpen(true), []);
  // Only shortcuts that cannot change the draft work while it is not on the canvas to be edited
  // (a published version shown read only, the simulation, a read-only journey).
  useEditorShortcuts(
    rootRef,
    canvasEditable
      ? { undo, redo, copy, paste: tools.paste, duplicate: tools.duplicate, layout, selectAll, help: showHelp }
      : {
          copy: viewing === null ? copy : undefined,
          selectAll: viewing === null ? selectAll : undefined,
          help: showHelp,
        },
  );

  // Comparison with the live version: recomputed as the draft changes, painted on the canvas and listed.
  const diff = useMemo(
    () => (comparing && comparing !== 'none' ? diffVersions(doc, comparing.doc) : null),
    [comparing, doc],
  );
  const compareWithLive = useCallback(async () => {
    if (liveVersion === null) {
      setComparing('none');
      return;
    }
    try {
      const v = await api.version(journey.id, liveVersion);
      setComparing({ version: liveVersion, doc: docOf(journey.id, journey.name, v.definition, v.layout).doc });
    } catch (e) {
      setNotice({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    }
  }, [api, journey.id, journey.name, liveVersion]);
  const changes = useMemo(() => {
    if (!diff) return null;
    const map = new Map<string, NodeDiff>();
    for (const d of diff.nodes) if (d.kind !== 'removed') map.set(d.id, d);
    return map;
  }, [diff]);
  const ghostEdges = useMemo(() => {
    if (!diff) return undefined;
    const ids = new Set(doc.nodes.map((n) => n.id));
    return diff.edges
      .filter((e) => e.kind === 'removed' && ids.has(e.source) && ids.has(e.target))
      .map((e) => ({ id: e.id, source: e.source, target: e.target, sourceHandle: e.port }));
  }, [diff, doc.nodes]);

  // The analytics overlay: the live version's counts on the steps and connections of the draft.
  const onlyEmailAfter = useCallback(
    (source: string, port: string) => {
      const edge = doc.edges.find((e) => e.source === source && (e.sourceHandle ?? 'next') === port);
      const target = edge && semanticNodes.find((n) => n.id === edge.target);
      if (target?.data.type !== 'action.sendEmail') return undefined;
      return doc.edges.filter((e) => e.target === target.id).length === 1 ? target.id : undefined;
    },
    [doc.edges, semanticNodes],
  );
  const counts = useMemo(() => {
    const stats = analytics.stats;
    if (!stats || stats.version === null) return null;
    const map = new Map<string, NodeCounts>();
    for (const n of semanticNodes) {
      const d = catalog.get(n.data.type, n.data.typeVersion ?? 1);
      const variants =
        n.data.type === 'flow.abTest' && d
          ? portsOf(d.ports, n.data.config ?? {}).map((p) => ({ ...p, email: onlyEmailAfter(n.id, p.id) }))
          : undefined;
      const c = nodeCountsOf(stats, n.id, variants);
      if (c) map.set(n.id, c);
    }
    return map;
  }, [analytics.stats, semanticNodes, catalog, onlyEmailAfter]);
  const edgeMarks = useMemo(() => {
    const marks = new Map<string, EdgeMark>();
    if (diff)
      for (const e of diff.edges)
        marks.set(e.id, { className: e.kind === 'added' ? 'wm-edge-added' : 'wm-edge-removed' });
    const stats = analytics.stats;
    if (stats && stats.version !== null)
      for (const e of doc.edges) {
        const n = edgeCountOf(stats, e);
        if (n === undefined) continue;
        const key = edgeKeyOf(e);
        marks.set(key, { ...marks.get(key), label: String(n), title: format(s.edgeCount, { count: n }) });
      }
    return marks;
  }, [diff, analytics.stats, doc.edges, s.edgeCount]);

  const loadVersions = useCallback(() => {
    api.versions(journey.id).then(setVersions, () => setVersions([]));
  }, [api, journey.id]);
  useEffect(() => {
    if (versionsOpen) loadVersions();
  }, [versionsOpen, loadVersions]);

  const focusNode = useCallback(
    (id: string) => {
      void flow.fitView({ nodes: [{ id }], duration: 250, maxZoom: 1.2, padding: 0.6 });
      setTimeout(() => {
        const el = rootRef.current?.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(id)}"]`);
        el?.focus({ preventScroll: true });
      }, 0);
    },
    [flow],
  );

  const focusProblem = useCallback(
    (p: Problem) => {
      if (viewing) setViewing(null);
      setMode('edit');
      setVersionsOpen(false);
      const edge = p.edgeId === undefined ? undefined : docRef.current.edges.find((e) => e.id === p.edgeId);
      const nodeId = p.nodeId ?? edge?.source;
      dispatch({ type: 'select', nodeIds: nodeId ? [nodeId] : [], edgeIds: edge ? [edge.id] : [] });
      if (nodeId) focusNode(nodeId);
    },
    [viewing, focusNode],
  );

  /** Where a step added from the keyboard goes: under the selected step, else the middle of the view. */
  const freeSpot = useCallback((): XYPosition => {
    const nodes = docRef.current.nodes;
    const selected = nodes.find((n) => n.selected);
    let spot: XYPosition;
    if (selected) spot = { x: selected.position.x, y: selected.position.y + 150 };
    else {
      const rect = rootRef.current?.querySelector('.wm-canvas')?.getBoundingClientRect();
      const centre = rect ? { x: rect.left + rect.width / 2, y: rect.top + rect.height / 3 } : { x: 400, y: 200 };
      const p = flow.screenToFlowPosition(centre);
      spot = { x: p.x - nodeWidth / 2, y: p.y - 40 };
    }
    const taken = (p: XYPosition) =>
      nodes.some((n) => Math.abs(n.position.x - p.x) < nodeWidth && Math.abs(n.position.y - p.y) < 110);
    for (let i = 0; i < 50 && taken(spot); i++) spot = { x: spot.x, y: spot.y + 140 };
    return spot;
  }, [flow]);

  const addNode = useCallback(
    (d: NodeTypeDescription, position?: XYPosition, edgeId?: string) => {
      if (readOnly) return;
      const schema = d.configSchema as JsonSchema;
      const config = (initialValue(schema, schema, portKeysOf(d)) ?? {}) as Record<string, unknown>;
      const id = newNodeId(
        d.type,
        docRef.current.nodes.map((n) => n.id),
      );
      const at = position ?? freeSpot();
      // Dropped on a connection, a step goes in between (triggers cannot: nothing leads into them).
      const into =
        edgeId === undefined || d.category === 'trigger'
          ? undefined
          : { edgeId, port: portsOf(d.ports, config)[0]?.id };
      dispatch({
        type: 'addNode',
        node: {
          id,
          type: 'waymark',
          position: at,
          selected: true,
          data: { type: d.type, typeVersion: d.version, config },
        },
        ...(into ? { into } : {}),
      });
      if (!position) setTimeout(() => focusNode(id), 0);
    },
    [readOnly, freeSpot, focusNode],
  );

  const publish = async () => {
    setPublishing(true);
    setNotice(null);
    setServerProblems([]);
    try {
      await autosave.flush();
      const v = await api.publish(journey.id);
      setLiveVersion(v.version);
      setNotice({
        kind: 'ok',
        text: format(v.created === false ? s.publishedUnchanged : s.published, { version: v.version }),
      });
      if (versionsOpen) loadVersions();
      onPublish?.(v);
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(0, 'internal', String(e));
      setServerProblems(err.problems);
      setNotice({ kind: 'error', text: format(s.publishFailed, { message: err.message }) });
    } finally {
      setPublishing(false);
    }
  };

  // The runtime migrates the step's config with its package's migrations; the saved step comes back.
  const upgradeStep = async (id: string) => {
    setNotice(null);
    try {
      await autosave.flush();
      const saved = await api.upgradeDraft(journey.id, [id]);
      const step = docOf(journey.id, saved.name, saved.definition, saved.layout).doc.nodes.find((n) => n.id === id);
      if (step)
        dispatch({
          type: 'updateNode',
          id,
          data: { typeVersion: step.data.typeVersion ?? 1, config: step.data.config ?? {} },
        });
      setNotice({ kind: 'ok', text: format(s.upgraded, { version: step?.data.typeVersion ?? 1 }) });
    } catch (e) {
      setNotice({
        kind: 'error',
        text: format(s.upgradeFailed, { message: e instanceof Error ? e.message : String(e) }),
      });
    }
  };

  const viewVersion = async (version: number) => {
    try {
      const v = await api.version(journey.id, version);
      const { doc: vdoc } = docOf(journey.id, doc.name, v.definition, v.layout);
      setViewing({ version, doc: vdoc });
      setMode('edit');
    } catch (e) {
      setNotice({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    }
  };

  const selectedNodes = doc.nodes.filter((n) => n.selected);
  const viewedNode = viewedId === undefined ? undefined : viewing?.doc.nodes.find((n) => n.id === viewedId);
  const selected = selectedNodes.length === 1 ? selectedNodes[0] : undefined;
  const hasProblems = problems.length > 0;
  const statusText =
    autosave.status.state === 'saved'
      ? s.saved
      : autosave.status.state === 'saving'
        ? s.saving
        : autosave.status.state === 'dirty'
          ? s.unsaved
          : format(s.saveFailed, { message: autosave.status.message });
  const canvasReadOnly = !canvasEditable;

  let panel: ReactNode;
  if (mode === 'simulate')
    panel = (
      <SimulationPanel
        journey={compiled.journey}
        nodes={doc.nodes}
        edges={doc.edges}
        catalog={catalog}
        nodeTitle={nodeTitle}
        onHighlight={setHighlight}
        onClose={() => setMode('edit')}
      />
    );
  else if (viewing && viewedNode)
    panel = (
      <ConfigPanel
        key={`v${viewing.version}:${viewedNode.id}`}
        node={viewedNode}
        description={catalog.get(viewedNode.data.type, viewedNode.data.typeVersion ?? 1)}
        problems={noProblems}
        nodes={viewing.doc.nodes}
        edges={viewing.doc.edges}
        dispatch={ignore}
        readOnly
        nodeTitle={nodeTitle}
      />
    );
  else if (versionsOpen)
    panel = (
      <VersionsPanel
        versions={versions}
        liveVersion={liveVersion}
        viewing={viewing?.version}
        onView={(v) => void viewVersion(v)}
        onClose={() => {
          setVersionsOpen(false);
          setViewing(null);
          setComparing(null);
        }}
        comparison={
          comparing === null
            ? null
            : comparing === 'none'
              ? { version: null, diff: null }
              : { version: comparing.version, diff }
        }
        onCompare={() => {
          setViewing(null);
          void compareWithLive();
        }}
        onStopComparing={() => setComparing(null)}
        nodeTitle={(id) => {
          const n =
            doc.nodes.find((x) => x.id === id) ??
            (comparing !== 'none' ? comparing?.doc.nodes.find((x) => x.id === id) : undefined);
          return n ? nodeTitle(n) : id;
        }}
        onFocusNode={(id) => {
          if (doc.nodes.some((n) => n.id === id)) {
            dispatch({ type: 'select', nodeIds: [id] });
            focusNode(id);
          }
        }}
      />
    );
  else if (selected && !viewing)
    panel = (
      <ConfigPanel
        key={selected.id}
        node={selected}
        description={catalog.get(selected.data.type, selected.data.typeVersion ?? 1)}
        problems={problemsByNode.get(selected.id) ?? []}
        nodes={doc.nodes}
        edges={doc.edges}
        dispatch={dispatch}
        readOnly={readOnly}
        nodeTitle={nodeTitle}
        upgradeTo={newerVersionOf(catalog, selected)}
        onUpgrade={() => upgradeStep(selected.id)}
      />
    );
  else
    panel = (
      <>
        {selectedNodes.length > 1 && (
          <p className="wm-hint wm-selection-count" role="status">
            {format(s.selectedSteps, { count: selectedNodes.length })}
          </p>
        )}
        <SettingsPanel
          settings={viewing?.doc.settings ?? doc.settings}
          problems={compiled.problems}
          readOnly={canvasReadOnly}
          onChange={(settings) => dispatch({ type: 'updateJourney', patch: { settings }, coalesceKey: 'settings' })}
        />
      </>
    );

  return (
    <div className="wm-editor" ref={rootRef} data-mode={mode} tabIndex={-1}>
      <header className="wm-toolbar">
        {onBack && (
          <button type="button" className="wm-button wm-ghost" onClick={onBack}>
            <ArrowLeft aria-hidden size={16} /> {s.journeys}
          </button>
        )}
        <label htmlFor={nameId} className="wm-visually-hidden">
          {s.journeyName}
        </label>
        <input
          id={nameId}
          className="wm-journey-name"
          type="text"
          value={doc.name}
          disabled={readOnly}
          onChange={(e) => dispatch({ type: 'updateJourney', patch: { name: e.target.value }, coalesceKey: 'name' })}
        />
        {readOnly ? (
          <span className="wm-badge">{s.readOnly}</span>
        ) : (
          <span className={`wm-save-status wm-save-${autosave.status.state}`} role="status">
            {statusText}
          </span>
        )}
        <span className="wm-spacer" />
        <button
          type="button"
          className="wm-icon-button"
          onClick={undo}
          disabled={state.past.length === 0 || canvasReadOnly}
          aria-label={s.undo}
          title={`${s.undo} (Ctrl+Z)`}
        >
          <Undo2 aria-hidden size={16} />
        </button>
        <button
          type="button"
          className="wm-icon-button"
          onClick={redo}
          disabled={state.future.length === 0 || canvasReadOnly}
          aria-label={s.redo}
          title={`${s.redo} (Ctrl+Shift+Z)`}
        >
          <Redo2 aria-hidden size={16} />
        </button>
        <button
          type="button"
          className="wm-icon-button"
          onClick={copy}
          disabled={selectedNodes.length === 0 || viewing !== null}
          aria-label={s.copy}
          title={`${s.copy} (Ctrl+C)`}
        >
          <Copy aria-hidden size={16} />
        </button>
        <button
          type="button"
          className="wm-icon-button"
          onClick={tools.paste}
          disabled={!canPaste || canvasReadOnly}
          aria-label={s.paste}
          title={`${s.paste} (Ctrl+V)`}
        >
          <ClipboardPaste aria-hidden size={16} />
        </button>
        <button
          type="button"
          className="wm-icon-button"
          onClick={tools.duplicate}
          disabled={selectedNodes.length === 0 || canvasReadOnly}
          aria-label={s.duplicate}
          title={`${s.duplicate} (Ctrl+D)`}
        >
          <CopyPlus aria-hidden size={16} />
        </button>
        <button
          type="button"
          className="wm-icon-button"
          onClick={layout}
          disabled={doc.nodes.length === 0 || canvasReadOnly}
          aria-label={s.autoLayout}
          title={`${s.autoLayout} (Ctrl+Shift+L)`}
        >
          <Network aria-hidden size={16} />
        </button>
        <button
          type="button"
          className="wm-icon-button"
          onClick={() => void flow.fitView({ duration: 250, maxZoom: 1, padding: 0.2 })}
          aria-label={s.fitView}
          title={s.fitView}
        >
          <Maximize aria-hidden size={16} />
        </button>
        <button
          type="button"
          className="wm-icon-button"
          onClick={showHelp}
          aria-label={s.keyboardShortcuts}
          aria-haspopup="dialog"
          title={`${s.keyboardShortcuts} (?)`}
        >
          <Keyboard aria-hidden size={16} />
        </button>
        <button
          type="button"
          className="wm-button"
          aria-pressed={analyticsOn}
          onClick={() => setAnalyticsOn(!analyticsOn)}
        >
          <ChartColumn aria-hidden size={16} /> {s.analytics}
        </button>
        <button
          type="button"
          className="wm-button"
          aria-pressed={mode === 'simulate'}
          onClick={() => {
            setViewing(null);
            setVersionsOpen(false);
            setMode(mode === 'simulate' ? 'edit' : 'simulate');
          }}
        >
          <FlaskConical aria-hidden size={16} /> {s.simulate}
        </button>
        <button
          type="button"
          className="wm-button"
          aria-pressed={versionsOpen}
          onClick={() => {
            setMode('edit');
            if (versionsOpen) setViewing(null);
            setVersionsOpen(!versionsOpen);
          }}
        >
          <History aria-hidden size={16} /> {s.versions}
        </button>
        {!readOnly && (
          <button
            type="button"
            className="wm-button wm-primary"
            disabled={hasProblems || publishing || viewing !== null}
            title={viewing ? s.publishFromDraft : hasProblems ? s.publishBlocked : undefined}
            aria-describedby={hasProblems ? `${nameId}-problems` : undefined}
            onClick={() => void publish()}
          >
            <Upload aria-hidden size={16} /> {publishing ? s.publishing : s.publish}
          </button>
        )}
      </header>
      {helpOpen && (
        <ShortcutsHelp
          onClose={() => {
            setHelpOpen(false);
          }}
        />
      )}
      {notice && (
        <div className={`wm-notice wm-notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          {notice.text}
          <button type="button" className="wm-icon-button" aria-label={s.close} onClick={() => setNotice(null)}>
            ×
          </button>
        </div>
      )}
      {analyticsOn && (
        <div className="wm-notice wm-notice-info wm-analytics-status" role="status">
          {analytics.error !== null
            ? format(s.analyticsFailed, { message: analytics.error })
            : analytics.stats === null
              ? s.loading
              : analytics.stats.version === null
                ? s.analyticsNotLive
                : format(s.analyticsOf, { version: analytics.stats.version })}
        </div>
      )}
      {viewing && (
        <div className="wm-notice wm-notice-info" role="status">
          {format(s.viewingVersion, { version: viewing.version })}
          <button type="button" className="wm-button wm-small" onClick={() => setViewing(null)}>
            {s.backToDraft}
          </button>
        </div>
      )}
      <div className="wm-body">
        <Palette nodeTypes={nodeTypes} onAdd={(d) => addNode(d)} disabled={canvasReadOnly} />
        <main className="wm-main">
          <CanvasInfoProvider
            value={{
              catalog,
              problemsByNode: viewing ? new Map() : problemsByNode,
              visits: mode === 'simulate' ? (highlight?.visits ?? null) : null,
              readOnly: canvasReadOnly,
              changes: viewing ? null : changes,
              counts: viewing || mode === 'simulate' ? null : counts,
            }}
          >
            {viewing ? (
              <ViewedCanvas key={viewing.version} doc={viewing.doc} catalog={catalog} onSelect={setViewedId} />
            ) : (
              <Canvas
                doc={doc}
                dispatch={dispatch}
                catalog={catalog}
                problemEdges={problemEdges}
                visitedEdges={mode === 'simulate' ? (highlight?.edges ?? null) : null}
                readOnly={canvasReadOnly}
                edgeMarks={mode === 'simulate' ? undefined : edgeMarks}
                ghostEdges={mode === 'simulate' ? undefined : ghostEdges}
                defaultViewport={initial.viewport ?? (initial.doc.nodes.length === 0 ? emptyViewport : undefined)}
                onDropType={addNode}
              />
            )}
          </CanvasInfoProvider>
          <div id={`${nameId}-problems`}>
            <ProblemsPanel
              problems={viewing ? [] : shown}
              serverProblems={viewing ? [] : shownServer}
              onFocus={focusProblem}
              note={
                viewing
                  ? format(s.viewingVersionProblems, { version: viewing.version })
                  : readOnly
                    ? s.readOnlyProblems
                    : undefined
              }
            />
          </div>
        </main>
        <aside className="wm-side">{panel}</aside>
      </div>
    </div>
  );
}

/** A published version on the canvas, read only; selection stays local to this view and is reported. */
function ViewedCanvas(props: {
  doc: JourneyDoc;
  catalog: ReturnType<typeof catalogOf>;
  onSelect: (id: string | undefined) => void;
}) {
  const { doc, catalog, onSelect } = props;
  const [state, dispatch] = useReducer(editorReducer, doc, initialEditorState);
  const picked = state.doc.nodes.filter((n) => n.selected);
  const one = picked.length === 1 ? picked[0]?.id : undefined;
  useEffect(() => onSelect(one), [one, onSelect]);
  useEffect(() => () => onSelect(undefined), [onSelect]);
  return (
    <Canvas
      doc={state.doc}
      dispatch={dispatch}
      catalog={catalog}
      problemEdges={noEdges}
      visitedEdges={null}
      readOnly
      defaultViewport={undefined}
      onDropType={() => {}}
    />
  );
}

const noEdges: ReadonlySet<string> = new Set();
const noProblems: readonly Problem[] = [];
const noTemplates: readonly TemplateSummary[] = [];
const ignore = () => {};
// An empty journey starts at 100 % with the origin top left; fitting the view waits for a journey with steps.
const emptyViewport = { x: 0, y: 0, zoom: 1 };
