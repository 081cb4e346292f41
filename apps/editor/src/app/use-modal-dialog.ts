import { type RefObject, useEffect } from 'react';

/**
 * Opens a native `<dialog>` as a modal when the component mounts (or just sets `open` where
 * `showModal` is missing, as in test DOMs), moves focus to `focusRef`, and closes it on unmount.
 * Escape still needs the dialog's `onCancel` (see {@link cancelWith}).
 */
export function useModalDialog(
  dialogRef: RefObject<HTMLDialogElement | null>,
  focusRef: RefObject<HTMLElement | null>,
): void {
  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    }
    focusRef.current?.focus();
    return () => {
      if (dialog?.open) dialog.close();
    };
  }, [dialogRef, focusRef]);
}

/** A dialog's `onCancel` (Escape) that leaves closing to `close` instead of the browser. */
export const cancelWith =
  (close: () => void) =>
  (e: { preventDefault: () => void }): void => {
    e.preventDefault();
    close();
  };
