import { type RefObject, useEffect, useRef } from 'react';

const editable = (el: Element | undefined) =>
  el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

/**
 * Ctrl/⌘+Z undoes and Ctrl/⌘+Shift+Z (or Ctrl+Y) redoes while the editor has focus or was the last
 * thing pressed; text fields keep their own undo. Listening on the document (not the editor's element)
 * covers a click on the empty canvas, which focuses nothing; looking at the event's composed path keeps
 * a host page's own Ctrl+Z working when the editor is embedded.
 */
export function useUndoShortcuts(root: RefObject<HTMLElement | null>, undo: () => void, redo: () => void) {
  const handlers = useRef({ undo, redo });
  handlers.current = { undo, redo };
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
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const key = e.key.toLowerCase();
      if (key !== 'z' && key !== 'y') return;
      const target = e.composedPath()[0] as Element | undefined;
      if (editable(target)) return;
      const focusedBody = target === document.body || target === document.documentElement;
      if (!inside(e) && !(focusedBody && lastPressInside)) return;
      e.preventDefault();
      if (key === 'y' || e.shiftKey) handlers.current.redo();
      else handlers.current.undo();
    };
    document.addEventListener('pointerdown', onPointerDown, true);
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown, true);
      document.removeEventListener('keydown', onKeyDown);
    };
  }, [root]);
}
