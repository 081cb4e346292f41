import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Backend } from './backend.ts';
import { ModelError } from './errors.ts';
import type { WorkerRequest, WorkerResponse } from './protocol.ts';
import type { SentimentResult } from './sentiment.ts';
import type { ResolvedModels } from './settings.ts';
import type { SubjectRequest } from './subjects.ts';

type Job =
  | { op: 'classify'; texts: string[]; resolve: (v: SentimentResult[]) => void; reject: (e: Error) => void }
  | { op: 'generate'; request: SubjectRequest; resolve: (v: string[]) => void; reject: (e: Error) => void }
  | { op: 'warmup'; slot: Slot; resolve: (v: null) => void; reject: (e: Error) => void };

interface Slot {
  worker: Worker;
  /** The jobs the worker is running now (several classify jobs travel as one batch). */
  running: Job[] | undefined;
  dead: boolean;
}

const maxRestarts = 5;
const entry = new URL('./worker-entry.mjs', import.meta.url);

/**
 * Runs inference in worker threads, so that a request handler never waits on the CPU-bound model.
 * Classify jobs queued while a worker is busy (or sent in the same tick) travel together as one batch
 * of at most `maxBatch` texts. Idle workers do not keep the process alive.
 */
export class WorkerPool implements Backend {
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  readonly #counters = { batches: 0, texts: 0, generations: 0 };
  #nextId = 1;
  #scheduled = false;
  #closed = false;
  #deaths = 0;
  #broken: Error | undefined;

  constructor(
    private readonly resolved: ResolvedModels,
    private readonly options: { threads: number; maxBatch: number },
  ) {
    for (let i = 0; i < options.threads; i++) this.#slots.push(this.#spawn());
  }

  #spawn(): Slot {
    // Workers share the cores: each model session gets its share instead of all of them.
    const intraOpThreads = Math.max(1, Math.floor(availableParallelism() / this.options.threads));
    const worker = new Worker(entry, { workerData: { ...this.resolved, intraOpThreads } });
    const slot: Slot = { worker, running: undefined, dead: false };
    worker.unref();
    worker.on('message', (answer: WorkerResponse) => this.#settle(slot, answer));
    const die = (error: Error) => {
      if (slot.dead) return;
      slot.dead = true;
      for (const job of slot.running ?? []) job.reject(error);
      slot.running = undefined;
      for (let k = this.#queue.length - 1; k >= 0; k--) {
        const job = this.#queue[k] as Job;
        if (job.op === 'warmup' && job.slot === slot) {
          this.#queue.splice(k, 1);
          job.reject(error);
        }
      }
      if (this.#closed) return;
      // A worker that keeps dying (e.g. it cannot start) is not restarted forever.
      if (++this.#deaths > maxRestarts) {
        for (const job of this.#queue.splice(0)) job.reject(error);
        this.#broken = error;
        return;
      }
      const i = this.#slots.indexOf(slot);
      if (i >= 0) this.#slots[i] = this.#spawn();
      this.#schedule();
    };
    worker.on('error', (e) => die(new ModelError('inference_failed', `model worker thread failed: ${e.message}`)));
    worker.on('exit', (code) => die(new ModelError('inference_failed', `model worker thread exited (${code})`)));
    return slot;
  }

  #settle(slot: Slot, answer: WorkerResponse) {
    const jobs = slot.running ?? [];
    slot.running = undefined;
    slot.worker.unref();
    if (!answer.ok) {
      const error = new ModelError(answer.error.code, answer.error.message);
      for (const job of jobs) job.reject(error);
    } else {
      let offset = 0;
      for (const job of jobs) {
        if (job.op === 'classify') {
          const results = answer.value as SentimentResult[];
          job.resolve(results.slice(offset, offset + job.texts.length));
          offset += job.texts.length;
        } else if (job.op === 'generate') job.resolve(answer.value as string[]);
        else job.resolve(null);
      }
    }
    this.#schedule();
  }

  #schedule() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // Jobs submitted in the same tick are dispatched together, so their texts share a batch.
    setImmediate(() => {
      this.#scheduled = false;
      this.#dispatch();
    });
  }

  #dispatch() {
    for (const slot of this.#slots) {
      if (slot.running || slot.dead) continue;
      const i = this.#queue.findIndex((j) => j.op !== 'warmup' || j.slot === slot);
      if (i < 0) continue;
      const job = this.#queue.splice(i, 1)[0] as Job;
      const id = this.#nextId++;
      let message: WorkerRequest;
      if (job.op === 'classify') {
        const batch: Job[] = [job];
        const texts = [...job.texts];
        for (let k = 0; k < this.#queue.length; ) {
          const next = this.#queue[k] as Job;
          if (next.op === 'classify' && texts.length + next.texts.length <= this.options.maxBatch) {
            texts.push(...next.texts);
            batch.push(next);
            this.#queue.splice(k, 1);
          } else k++;
        }
        this.#counters.batches++;
        this.#counters.texts += texts.length;
        slot.running = batch;
        message = { id, op: 'classify', texts };
      } else if (job.op === 'generate') {
        this.#counters.generations++;
        slot.running = [job];
        message = { id, op: 'generate', request: job.request };
      } else {
        slot.running = [job];
        message = { id, op: 'warmup' };
      }
      slot.worker.ref();
      slot.worker.postMessage(message);
    }
  }

  #submit<T>(make: (resolve: (v: T) => void, reject: (e: Error) => void) => Job): Promise<T> {
    if (this.#closed) return Promise.reject(new ModelError('closed', 'the models were closed'));
    if (this.#broken) return Promise.reject(this.#broken);
    return new Promise<T>((resolve, reject) => {
      this.#queue.push(make(resolve, reject));
      this.#schedule();
    });
  }

  classify(texts: readonly string[]): Promise<SentimentResult[]> {
    if (texts.length === 0) return Promise.resolve([]);
    // A list longer than one batch is split so that other callers' texts are not stuck behind it.
    if (texts.length > this.options.maxBatch) {
      const parts: Promise<SentimentResult[]>[] = [];
      for (let i = 0; i < texts.length; i += this.options.maxBatch)
        parts.push(this.classify(texts.slice(i, i + this.options.maxBatch)));
      return Promise.all(parts).then((p) => p.flat());
    }
    return this.#submit<SentimentResult[]>((resolve, reject) => ({
      op: 'classify',
      texts: texts.map(String),
      resolve,
      reject,
    }));
  }

  generate(request: SubjectRequest): Promise<string[]> {
    return this.#submit<string[]>((resolve, reject) => ({ op: 'generate', request, resolve, reject }));
  }

  async warmup(): Promise<void> {
    await Promise.all(
      this.#slots.map((slot) => this.#submit<null>((resolve, reject) => ({ op: 'warmup', slot, resolve, reject }))),
    );
  }

  counters() {
    return { ...this.#counters };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const error = new ModelError('closed', 'the models were closed');
    for (const job of this.#queue.splice(0)) job.reject(error);
    await Promise.all(
      this.#slots.map(async (slot) => {
        slot.dead = true;
        for (const job of slot.running ?? []) job.reject(error);
        slot.running = undefined;
        await slot.worker.terminate();
      }),
    );
  }
}
