import { ApiError } from '../errors.ts';

/** Why a template could not be rendered. */
export type RenderErrorCode =
  /** A merge tag does not parse (unclosed tag, unknown filter …). */
  | 'template_syntax'
  /** A merge tag failed while filling it for a contact (a loop too long, a partial that does not exist …). */
  | 'template_render'
  /** The MJML could not be compiled at all. */
  | 'mjml_invalid';

/** The template field an error is in. */
export type TemplateField = 'subject' | 'mjml';

/** A template that cannot be rendered, naming the field and, when known, the line and column. */
export class RenderError extends Error {
  override readonly name = 'RenderError';
  constructor(
    readonly code: RenderErrorCode,
    readonly field: TemplateField,
    message: string,
    readonly position?: { line: number; column: number },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The same error as the API reports it: a 400 whose details carry the code, field and position. */
  toApiError(): ApiError {
    return new ApiError('invalid_request', this.message, {
      code: this.code,
      field: this.field,
      ...(this.position ? this.position : {}),
    });
  }
}
