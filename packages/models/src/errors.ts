/** Every error code `@waymark/models` reports, with what it means. */
export const modelErrorCodes = {
  /** The model is not where the configuration says (folder missing, hub unreachable or not allowed). */
  model_unavailable: 'the model could not be loaded',
  /** The model loaded but does not fit its configuration (e.g. a label without a score). */
  model_misconfigured: 'the model does not match its configuration',
  /** Inference itself failed. */
  inference_failed: 'inference failed',
  /** The request cannot be served as asked (a missing brief, a variant count out of range …). */
  invalid_request: 'the request is not valid',
  /** No generated subject line passed the length, duplicate and banned-word filters. */
  no_variants: 'no subject line passed the filters',
  /** The models were closed before the request finished. */
  closed: 'the models were closed',
} as const;

/** A stable code of a models error. */
export type ModelErrorCode = keyof typeof modelErrorCodes;

/** The one error `@waymark/models` throws: a literal-union `code`, a message and an optional `cause`. */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
