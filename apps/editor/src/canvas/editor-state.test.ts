import { describe, expect, it } from 'vitest';
import { type EditorState, editorReducer, initialEditorState, type JourneyDoc, type StepNode } from './editor-state.ts';

const node = (id: string, type: string, x = 0, y = 0): StepNode => ({
  id,
  type: 'waymark',
  position: { x, y },
  data: { type, config: {} },
});

const empty: JourneyDoc = { name: 'J', settings: {}, nodes: [], edges: [] };
const run = (state: EditorState, ...actions: Parameters<typeof editorReducer>[1][]) =>
  actions.reduce(editorReducer, state);

describe('editor state', () => {
  it('undoes and redoes adding, connecting and deleting', () => {
    let s = run(
      initialEditorState(empty),
      { type: 'addNode', node: node('start', 'trigger.event') },
      { type: 'addNode', node: node('wait', 'flow.wait', 0, 150) },
      { type: 'connect', connection: { source: 'start', sourceHandle: 'next', target: 'wait', targetHandle: null } },
    );
    expect(s.doc.edges.map((e) => e.id)).toEqual(['start:next->wait']);
    const built = s.doc;
    s = run(s, { type: 'select', nodeIds: ['wait'] }, { type: 'deleteSelection' });
    expect(s.doc.nodes.map((n) => n.id)).toEqual(['start']);
    expect(s.doc.edges).toEqual([]);
    s = run(s, { type: 'undo' });
    expect(s.doc.nodes.map((n) => n.id)).toEqual(built.nodes.map((n) => n.id));
    expect(s.doc.edges.map((e) => e.id)).toEqual(['start:next->wait']);
    s = run(s, { type: 'undo' }, { type: 'undo' });
    expect(s.doc.nodes.map((n) => n.id)).toEqual(['start']);
    s = run(s, { type: 'redo' }, { type: 'redo' });
    expect(s.doc.edges.map((e) => e.id)).toEqual(['start:next->wait']);
    s = run(s, { type: 'redo' });
    expect(s.doc.nodes.map((n) => n.id)).toEqual(['start']);
  });

  it('moves a connection when an output is connected again', () => {
    const s = run(
      initialEditorState({
        ...empty,
        nodes: [node('a', 'flow.condition'), node('b', 'flow.exit'), node('c', 'flow.exit')],
      }),
      { type: 'connect', connection: { source: 'a', sourceHandle: 'yes', target: 'b', targetHandle: null } },
      { type: 'connect', connection: { source: 'a', sourceHandle: 'no', target: 'b', targetHandle: null } },
      { type: 'connect', connection: { source: 'a', sourceHandle: 'yes', target: 'c', targetHandle: null } },
    );
    expect(s.doc.edges.map((e) => e.id).sort()).toEqual(['a:no->b', 'a:yes->c']);
  });

  it('records typing into one config field as one history entry', () => {
    let s = initialEditorState({ ...empty, nodes: [node('t', 'trigger.event')] });
    for (const [i, text] of ['c', 'ca', 'car', 'cart'].entries())
      s = editorReducer(s, {
        type: 'updateNode',
        id: 't',
        data: { config: { event: text } },
        coalesceKey: 'config:t',
        now: 1000 + i * 100,
      });
    expect(s.past).toHaveLength(1);
    expect(s.doc.nodes[0]?.data.config).toEqual({ event: 'cart' });
    s = editorReducer(s, { type: 'undo' });
    expect(s.doc.nodes[0]?.data.config).toEqual({});
  });

  it('makes one history entry of a drag, and none of a click', () => {
    let s = initialEditorState({ ...empty, nodes: [node('a', 'flow.wait')] });
    s = run(s, { type: 'dragStart' }, { type: 'dragStop' });
    expect(s.past).toHaveLength(0);
    s = run(
      s,
      { type: 'dragStart' },
      { type: 'nodesChange', changes: [{ type: 'position', id: 'a', position: { x: 10, y: 0 }, dragging: true }] },
      { type: 'nodesChange', changes: [{ type: 'position', id: 'a', position: { x: 50, y: 5 }, dragging: true }] },
      { type: 'dragStop' },
    );
    expect(s.past).toHaveLength(1);
    expect(s.doc.nodes[0]?.position).toEqual({ x: 50, y: 5 });
    s = run(s, { type: 'undo' });
    expect(s.doc.nodes[0]?.position).toEqual({ x: 0, y: 0 });
  });

  it('counts document changes but not selection changes', () => {
    let s = initialEditorState({ ...empty, nodes: [node('a', 'flow.wait')] });
    s = run(s, { type: 'select', nodeIds: ['a'] });
    expect(s.revision).toBe(0);
    s = run(s, { type: 'updateJourney', patch: { name: 'K' } });
    expect(s.revision).toBe(1);
  });

  it('keeps the current selection across undo', () => {
    let s = run(
      initialEditorState({ ...empty, nodes: [node('a', 'flow.wait')] }),
      { type: 'updateNode', id: 'a', data: { label: 'Pause' } },
      { type: 'select', nodeIds: ['a'] },
      { type: 'undo' },
    );
    expect(s.doc.nodes[0]?.data.label).toBeUndefined();
    expect(s.doc.nodes[0]?.selected).toBe(true);
    s = run(s, { type: 'redo' });
    expect(s.doc.nodes[0]?.data.label).toBe('Pause');
  });
});

describe('dropping a step on a connection', () => {
  it('puts it in between, through its first output, as one history entry', () => {
    let s = run(initialEditorState({ ...empty, nodes: [node('a', 'flow.condition'), node('b', 'flow.exit')] }), {
      type: 'connect',
      connection: { source: 'a', sourceHandle: 'yes', target: 'b', targetHandle: null },
    });
    s = run(s, { type: 'addNode', node: node('w', 'flow.wait'), into: { edgeId: 'a:yes->b', port: 'next' } });
    expect(s.doc.edges.map((e) => e.id).sort()).toEqual(['a:yes->w', 'w:next->b']);
    s = run(s, { type: 'undo' });
    expect(s.doc.edges.map((e) => e.id)).toEqual(['a:yes->b']);
    expect(s.doc.nodes.map((n) => n.id)).toEqual(['a', 'b']);
  });

  it('leaves the rest unconnected when the step has no output', () => {
    const s = run(
      initialEditorState({ ...empty, nodes: [node('a', 'flow.wait'), node('b', 'flow.exit')] }),
      { type: 'connect', connection: { source: 'a', sourceHandle: 'next', target: 'b', targetHandle: null } },
      { type: 'addNode', node: node('x', 'flow.exit'), into: { edgeId: 'a:next->b', port: undefined } },
    );
    expect(s.doc.edges.map((e) => e.id)).toEqual(['a:next->x']);
  });

  describe('connections follow outputs defined by the config', () => {
    const abTest = (ports: string[]): StepNode => ({
      ...node('ab', 'flow.abTest'),
      data: { type: 'flow.abTest', config: { variants: ports.map((port) => ({ port, weight: 50 })) } },
    });
    const ports = { fromConfig: 'variants', idKey: 'port', labelKey: 'label' } as const;
    const start = () =>
      run(
        initialEditorState({ ...empty, nodes: [abTest(['a', 'b']), node('x', 'flow.exit'), node('y', 'flow.exit')] }),
        { type: 'connect', connection: { source: 'ab', sourceHandle: 'a', target: 'x', targetHandle: null } },
        { type: 'connect', connection: { source: 'ab', sourceHandle: 'b', target: 'y', targetHandle: null } },
      );
    const setPorts = (s: EditorState, list: string[], now = 10_000) =>
      editorReducer(s, {
        type: 'updateNode',
        id: 'ab',
        data: { config: { variants: list.map((port) => ({ port, weight: 50 })) } },
        ports,
        coalesceKey: 'config:ab',
        now,
      });
    const edgeIds = (s: EditorState) => s.doc.edges.map((e) => e.id).sort();

    it('moves the connection of a renamed port, as one undoable change with the rename', () => {
      const before = start();
      const after = setPorts(before, ['a', 'c']);
      expect(edgeIds(after)).toEqual(['ab:a->x', 'ab:c->y']);
      expect(after.doc.edges.find((e) => e.target === 'y')?.sourceHandle).toBe('c');
      const undone = run(after, { type: 'undo' });
      expect(edgeIds(undone)).toEqual(['ab:a->x', 'ab:b->y']);
      expect(undone.doc.nodes[0]?.data.config).toEqual(before.doc.nodes[0]?.data.config);
    });

    it('keeps the connection while the id is retyped through empty, and the typed id adopts it', () => {
      let s = setPorts(start(), ['a', ''], 10_000);
      expect(edgeIds(s)).toEqual(['ab:a->x', 'ab:b->y']);
      s = setPorts(s, ['a', 'n'], 10_100);
      s = setPorts(s, ['a', 'ne'], 10_200);
      s = setPorts(s, ['a', 'new'], 10_300);
      expect(edgeIds(s)).toEqual(['ab:a->x', 'ab:new->y']);
      // Typing is one history entry: one undo brings back b and its connection.
      expect(edgeIds(run(s, { type: 'undo' }))).toEqual(['ab:a->x', 'ab:b->y']);
    });

    it('drops the connection of a removed port, and undo brings both back', () => {
      const s = setPorts(start(), ['b']);
      expect(edgeIds(s)).toEqual(['ab:b->y']);
      expect(edgeIds(run(s, { type: 'undo' }))).toEqual(['ab:a->x', 'ab:b->y']);
      // Adding a variant touches no connection.
      expect(edgeIds(setPorts(start(), ['a', 'b', 'c']))).toEqual(['ab:a->x', 'ab:b->y']);
    });

    it('leaves connections alone for fixed ports and changes of other fields', () => {
      const s = start();
      const fixed = editorReducer(s, {
        type: 'updateNode',
        id: 'ab',
        data: { config: { variants: [] } },
        ports: [{ id: 'next', label: 'Next' }],
      });
      expect(edgeIds(fixed)).toEqual(['ab:a->x', 'ab:b->y']);
      const label = editorReducer(s, { type: 'updateNode', id: 'ab', data: { label: 'Subject test' }, ports });
      expect(label.doc.edges).toBe(s.doc.edges);
    });
  });
});
