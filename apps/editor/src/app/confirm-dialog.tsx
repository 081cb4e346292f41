import { useId, useRef } from 'react';
import { cancelWith, useModalDialog } from './use-modal-dialog.ts';

/** Props of {@link ConfirmDialog}. */
export interface ConfirmDialogProps {
  title: string;
  message: string;
  confirmLabel: string;
  cancelLabel: string;
  /** Styles the confirm button as destructive. */
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A modal question (a native `<dialog>`: focus stays inside, Escape cancels). Focus starts on Cancel so
 * that Enter does not destroy anything by accident.
 */
export function ConfirmDialog({
  title,
  message,
  confirmLabel,
  cancelLabel,
  danger,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const messageId = useId();
  useModalDialog(ref, cancelRef);
  return (
    <dialog
      ref={ref}
      className="wm-dialog"
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={messageId}
      onCancel={cancelWith(onCancel)}
    >
      <h2 id={titleId}>{title}</h2>
      <p id={messageId}>{message}</p>
      <div className="wm-row wm-dialog-actions">
        <button ref={cancelRef} type="button" className="wm-button" onClick={onCancel}>
          {cancelLabel}
        </button>
        <button type="button" className={`wm-button ${danger ? 'wm-danger-solid' : 'wm-primary'}`} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
