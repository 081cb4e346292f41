import { useState } from 'react';
import type { ApiClient, ApiError, ApprovalKey, ApprovalPreview } from '../api/client.ts';
import { asApiError } from '../app/as-api-error.ts';
import { format, useStrings } from '../strings.ts';
import { EmailPreviewFrame } from '../templates/preview-frame.tsx';

/** Props of {@link ApprovalEmail}. */
export interface ApprovalEmailProps {
  api: ApiClient;
  item: ApprovalKey;
  /** Who the email goes to, as the queue shows them (for the frame's title). */
  contact: string;
}

/**
 * The email a pending approval releases, rendered by the runtime for the waiting contact: subject and
 * body, loaded when the reviewer opens it, the body in a frame sandboxed without scripts.
 */
export function ApprovalEmail({ api, item, contact }: ApprovalEmailProps) {
  const s = useStrings();
  const [preview, setPreview] = useState<ApprovalPreview | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);

  const load = async () => {
    setLoading(true);
    try {
      setPreview(await api.approvalPreview(item));
      setError(null);
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setLoading(false);
    }
  };

  return (
    <details
      className="wm-approval-email"
      onToggle={(e) => {
        if (e.currentTarget.open && !preview && !loading) void load();
      }}
    >
      <summary>{s.emailToGoOut}</summary>
      {loading && <p className="wm-muted">{s.loading}</p>}
      {error && <p className="wm-muted">{error.message}</p>}
      {preview && (
        <>
          <dl className="wm-attributes">
            <div>
              <dt>{s.emailTo}</dt>
              <dd>{preview.to ?? contact}</dd>
            </div>
            <div>
              <dt>{s.emailSubject}</dt>
              <dd className="wm-preview-subject">{preview.subject}</dd>
            </div>
          </dl>
          <EmailPreviewFrame title={format(s.emailPreviewOf, { contact })} document={preview.document} />
        </>
      )}
    </details>
  );
}
