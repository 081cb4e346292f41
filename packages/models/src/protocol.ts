import type { ModelErrorCode } from './errors.ts';
import type { SentimentResult } from './sentiment.ts';
import type { SubjectRequest } from './subjects.ts';

/** A job the pool sends to a worker thread. */
export type WorkerRequest =
  | { id: number; op: 'classify'; texts: string[] }
  | { id: number; op: 'generate'; request: SubjectRequest }
  | { id: number; op: 'warmup' };

/** A worker thread's answer to one job. */
export type WorkerResponse =
  | { id: number; ok: true; value: SentimentResult[] | string[] | null }
  | { id: number; ok: false; error: { code: ModelErrorCode; message: string } };
