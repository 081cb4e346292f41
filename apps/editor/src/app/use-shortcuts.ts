import { type RefObject, useEffect, useRef } from 'react';

const editable = (el: Element | undefined) =>
  el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

/**
 * What the editor's keyboard shortcuts do. A shortcut left out does nothing, and its key is left to
 * the browser: a read-only view passes only those that cannot change the draft.
 */
export interface EditorShortcuts {
  undo?: (() => void) | undefined;
  redo?: (() => void) | undefined;
  copy?: (() => void) | undefined;
  paste?: (() => void) | undefined;
  duplicate?: (() => void) | undefined;
  layout?: (() => void) | undefined;
  selectAll?: (() => void) | undefined;
  help?: (() => void) | undefined;
}

/** The shortcut a key press means, if any: Ctrl/⌘ with Z, Shift+Z, Y, C, V, D, A or Shift+L, or `?`. */
export function shortcutOf(
  e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>,
): keyof EditorShortcuts | undefined {
  if (e.altKey) return undefined;
  if (!(e.ctrlKey || e.metaKey)) return e.key === '?' ? 'help' : undefined;
  const key = e.key.toLowerCase();
  if (key === 'z') return e.shiftKey ? 'redo' : 'undo';
  if (key === 'y') return 'redo';
  if (e.shiftKey) return key === 'l' ? 'layout' : undefined;
  if (key === 'c') return 'copy';
  if (key === 'v') return 'paste';
  if (key === 'd') return 'duplicate';
  if (key === 'a') return 'selectAll';
  return undefined;
}

/**
 * The editor's shortcuts, while the editor has focus or was the last thing pressed: Ctrl/⌘+Z undoes,
 * Ctrl/⌘+Shift+Z (or Ctrl+Y) redoes, Ctrl/⌘+C, V and D copy, paste and duplicate steps, and
 * Ctrl/⌘+Shift+L tidies the layout, Ctrl/⌘+A selects every step and `?` lists the shortcuts. Text fields keep their own keys, and selected text copies as text.
 * Listening on the document (not the editor's element) covers a click on the empty canvas, which
 * focuses nothing; looking at the event's composed path keeps a host page's own keys working when
 * the editor is embedded.
 */
export function useEditorShortcuts(root: RefObject<HTMLElement | null>, shortcuts: EditorShortcuts) {
  const handlers = useRef(shortcuts);
  handlers.current = shortcuts;
  useEffect(() => {
    let lastPressInside = false;
    const inside = (e: Event) => {
      const el = root.current;
      return el !== null && e.composedPath().includes(el);
    };
    const onPointerDown = (e: PointerEvent) => {
      lastPressInside = inside(e);
    };
    const onKeyDown = (e: KeyboardEvent) => {
      const which = shortcutOf(e);
      if (which === undefined) return;
      const handler = handlers.current[which];
      if (!handler) return;
      const target = e.composedPath()[0] as Element | undefined;
      if (editable(target)) return;
      if (which === 'copy' && (document.getSelection()?.toString() ?? '') !== '') return;
      const focusedBody = target === document.body || target === document.documentElement;
      if (!inside(e) && !(focusedBody && lastPressInside)) return;
      e.preventDefault();
      handler();
    };
    document.addEventListener('pointerdown', onPointerDown, true);
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown, true);
      document.removeEventListener('keydown', onKeyDown);
    };
  }, [root]);
}
