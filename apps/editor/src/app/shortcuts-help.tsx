import { useId, useRef } from 'react';
import { type Strings, useStrings } from '../strings.ts';
import { cancelWith, useModalDialog } from './use-modal-dialog.ts';

/** Every keyboard shortcut of the editor, as its keys and the string that says what it does. */
const shortcutList: readonly { keys: string; does: keyof Strings }[] = [
  { keys: 'Ctrl+Z', does: 'undo' },
  { keys: 'Ctrl+Shift+Z, Ctrl+Y', does: 'redo' },
  { keys: 'Ctrl+C', does: 'copy' },
  { keys: 'Ctrl+V', does: 'paste' },
  { keys: 'Ctrl+D', does: 'duplicate' },
  { keys: 'Ctrl+A', does: 'selectAllSteps' },
  { keys: 'Delete, Backspace', does: 'deleteSelection' },
  { keys: '← ↑ → ↓', does: 'moveSelection' },
  { keys: 'Ctrl+Shift+L', does: 'autoLayout' },
  { keys: 'Tab, Enter', does: 'focusSteps' },
  { keys: '?', does: 'keyboardShortcuts' },
];

/** A modal list of the editor's keyboard shortcuts (a native `<dialog>`: Escape or Close shuts it). */
export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  const s = useStrings();
  const ref = useRef<HTMLDialogElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  useModalDialog(ref, closeRef);
  return (
    <dialog ref={ref} className="wm-dialog wm-shortcuts" aria-labelledby={titleId} onCancel={cancelWith(onClose)}>
      <h2 id={titleId}>{s.keyboardShortcuts}</h2>
      <p className="wm-hint">{s.shortcutsMac}</p>
      <table>
        <thead>
          <tr>
            <th scope="col">{s.shortcutKeys}</th>
            <th scope="col">{s.shortcutAction}</th>
          </tr>
        </thead>
        <tbody>
          {shortcutList.map(({ keys, does }) => (
            <tr key={does}>
              <td>
                <kbd>{keys}</kbd>
              </td>
              <td>{s[does]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="wm-row wm-dialog-actions">
        <button ref={closeRef} type="button" className="wm-button wm-primary" onClick={onClose}>
          {s.close}
        </button>
      </div>
    </dialog>
  );
}
