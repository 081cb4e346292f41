import { describe, expect, it } from 'vitest';
import { copySelection, pasteClip } from './clipboard.ts';
import { type EditorState, editorReducer, initialEditorState, type JourneyDoc, type StepNode } from './editor-state.ts';

const node = (id: string, type: string, selected: boolean, config: Record<string, unknown> = {}): StepNode => ({
  id,
  type: 'waymark',
  position: { x: 10, y: 20 },
  selected,
  data: { type, typeVersion: 1, config },
});

const doc: JourneyDoc = {
  name: 'J',
  settings: {},
  nodes: [
    node('event1', 'trigger.event', false, { event: 'signed_up' }),
    node('condition1', 'flow.condition', true, { if: { attribute: 'plan', op: 'eq', value: 'pro' } }),
    node('sendEmail1', 'action.sendEmail', true, { template: 'welcome-pro' }),
    node('exit1', 'flow.exit', false),
  ],
  edges: [
    { id: 'event1:next->condition1', source: 'event1', target: 'condition1', sourceHandle: 'next' },
    { id: 'condition1:yes->sendEmail1', source: 'condition1', target: 'sendEmail1', sourceHandle: 'yes' },
    { id: 'condition1:no->exit1', source: 'condition1', target: 'exit1', sourceHandle: 'no' },
  ],
};

describe('clipboard', () => {
  it('copies the selected steps and only the connections between them', () => {
    const clip = copySelection(doc);
    expect(clip?.nodes.map((n) => n.id)).toEqual(['condition1', 'sendEmail1']);
    expect(clip?.edges.map((e) => e.id)).toEqual(['condition1:yes->sendEmail1']);
    expect(copySelection({ nodes: doc.nodes.map((n) => ({ ...n, selected: false })), edges: [] })).toBeNull();
  });

  it('pastes under fresh ids with the config, the inner connections rewired and the positions offset', () => {
    const clip = copySelection(doc);
    if (!clip) throw new Error('nothing copied');
    const pasted = pasteClip(
      clip,
      doc.nodes.map((n) => n.id),
      { x: 40, y: 40 },
    );
    expect(pasted.nodes.map((n) => n.id)).toEqual(['condition2', 'sendEmail2']);
    expect(pasted.nodes[0]?.data.config).toEqual({ if: { attribute: 'plan', op: 'eq', value: 'pro' } });
    expect(pasted.nodes[1]?.data).toEqual({
      type: 'action.sendEmail',
      typeVersion: 1,
      config: { template: 'welcome-pro' },
    });
    expect(pasted.nodes.map((n) => n.position)).toEqual([
      { x: 50, y: 60 },
      { x: 50, y: 60 },
    ]);
    expect(pasted.edges).toEqual([
      { id: 'condition2:yes->sendEmail2', source: 'condition2', target: 'sendEmail2', sourceHandle: 'yes' },
    ]);
    // The copy is deep: editing the pasted config leaves the clip (and so the original) alone.
    (pasted.nodes[1]?.data.config as Record<string, unknown>).template = 'changed';
    expect(clip.nodes[1]?.data.config).toEqual({ template: 'welcome-pro' });
    // A second paste of the same clip takes the next free ids.
    const again = pasteClip(
      clip,
      [...doc.nodes, ...pasted.nodes].map((n) => n.id),
    );
    expect(again.nodes.map((n) => n.id)).toEqual(['condition3', 'sendEmail3']);
  });

  it('inserts a paste as one undoable entry that becomes the selection', () => {
    const clip = copySelection(doc);
    if (!clip) throw new Error('nothing copied');
    const pasted = pasteClip(
      clip,
      doc.nodes.map((n) => n.id),
    );
    let s: EditorState = editorReducer(initialEditorState(doc), { type: 'insert', ...pasted });
    expect(s.doc.nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(['condition2', 'sendEmail2']);
    expect(s.doc.edges).toHaveLength(4);
    s = editorReducer(s, { type: 'undo' });
    expect(s.doc.nodes.map((n) => n.id)).toEqual(doc.nodes.map((n) => n.id));
    expect(s.doc.edges).toHaveLength(3);
    s = editorReducer(s, { type: 'redo' });
    expect(s.doc.nodes).toHaveLength(6);
  });

  it('moves steps to new positions as one undoable entry', () => {
    let s = editorReducer(initialEditorState(doc), {
      type: 'moveNodes',
      positions: new Map([
        ['event1', { x: 0, y: 0 }],
        ['exit1', { x: 0, y: 300 }],
      ]),
    });
    expect(s.doc.nodes.find((n) => n.id === 'exit1')?.position).toEqual({ x: 0, y: 300 });
    expect(s.past).toHaveLength(1);
    s = editorReducer(s, { type: 'undo' });
    expect(s.doc.nodes.find((n) => n.id === 'exit1')?.position).toEqual({ x: 10, y: 20 });
  });
});
