import { ApiError } from '../api/client.ts';

/** Any failure as an {@link ApiError}, so screens show one kind of error. */
export function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'internal', e instanceof Error ? e.message : String(e));
}
