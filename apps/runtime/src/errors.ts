/** Every error code the API answers with; each maps to one HTTP status. */
export const apiErrorStatus = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  invalid_request: 400,
  journey_invalid: 422,
  conflict: 409,
  /** A reviewer's decision arrived after the approval's timeout; the run takes the timeout path. */
  approval_timed_out: 409,
  payload_too_large: 413,
  /** No generated subject line passed the length, duplicate and banned-word filters. */
  no_variants: 422,
  rate_limited: 429,
  internal: 500,
  /** No AI model is configured or loadable (WAYMARK_MODELS_DIR). */
  model_unavailable: 503,
} as const;

/** A stable code of an API error. */
export type ApiErrorCode = keyof typeof apiErrorStatus;

/** An error the API reports to its caller as `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  get status(): (typeof apiErrorStatus)[ApiErrorCode] {
    return apiErrorStatus[this.code];
  }
}

/** Shorthand for a 404 naming what was not found. */
export function notFound(what: string, id: string): ApiError {
  return new ApiError('not_found', `${what} "${id}" not found in this workspace`);
}
