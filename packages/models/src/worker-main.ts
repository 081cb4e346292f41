import { parentPort, workerData } from 'node:worker_threads';
import { inThreadBackend } from './backend.ts';
import { ModelError } from './errors.ts';
import type { WorkerRequest, WorkerResponse } from './protocol.ts';
import type { ResolvedModels } from './settings.ts';

// One worker thread of the pool: models load once here and every job runs on them in turn.
const backend = inThreadBackend(workerData as ResolvedModels);
const port = parentPort;
if (!port) throw new Error('worker-main.ts runs only as a worker thread');

async function perform(job: WorkerRequest): Promise<WorkerResponse> {
  try {
    switch (job.op) {
      case 'classify':
        return { id: job.id, ok: true, value: await backend.classify(job.texts) };
      case 'generate':
        return { id: job.id, ok: true, value: await backend.generate(job.request) };
      case 'warmup':
        await backend.warmup();
        return { id: job.id, ok: true, value: null };
      default: {
        const never: never = job;
        throw new Error(`unknown job ${JSON.stringify(never)}`);
      }
    }
  } catch (e) {
    const error =
      e instanceof ModelError
        ? { code: e.code, message: e.message }
        : { code: 'inference_failed' as const, message: (e as Error).message };
    return { id: job.id, ok: false, error };
  }
}

port.on('message', (job: WorkerRequest) => {
  void perform(job).then((answer) => port.postMessage(answer));
});
