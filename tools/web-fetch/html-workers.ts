import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** Heap of one conversion worker: a page that needs more fails and gets the text fallback. */
const WORKER_HEAP_MB = 512;
/** Time a new worker may take to load the parser, which no page can influence. */
const WORKER_START_MS = 60_000;
const MAX_WORKERS = Math.max(1, Math.min(4, availableParallelism()));

export type WorkerResult =
  | { ok: true; title: string; markdown: string }
  | { ok: false; reason: 'deadline' | 'failed'; message: string };

interface WorkerMessage {
  ready?: boolean;
  ok?: boolean;
  title?: string;
  markdown?: string;
  message?: string;
}

interface PooledWorker {
  worker: Worker;
  ready: boolean;
}

const all = new Set<PooledWorker>();
const idle: PooledWorker[] = [];
const waiting: ((pooled: PooledWorker) => void)[] = [];

/**
 * Converts one page in a pooled worker thread (at most four, reused while healthy). The
 * page's deadline starts when its worker is ready; past it the worker is terminated and a
 * fresh one takes its place. Aborting `signal` does the same and rejects with its reason.
 */
export async function convertInWorker(
  job: { html: string; url: string; mode: 'markdown' | 'text' },
  deadlineMs: number,
  signal: AbortSignal | undefined,
): Promise<WorkerResult> {
  const pooled = await acquire(signal);
  const { worker } = pooled;
  return new Promise<WorkerResult>((resolve, reject) => {
    let timer = setTimeout(
      () => finish(false, { ok: false, reason: 'failed', message: 'its worker did not start' }),
      WORKER_START_MS,
    );
    const begin = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => finish(false, { ok: false, reason: 'deadline', message: '' }),
        deadlineMs,
      );
      worker.postMessage(job);
    };
    const finish = (healthy: boolean, result: WorkerResult | { abort: unknown }) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      signal?.removeEventListener('abort', onAbort);
      release(pooled, healthy);
      if ('abort' in result) reject(result.abort);
      else resolve(result);
    };
    const onMessage = (message: WorkerMessage) => {
      if (message.ready) {
        pooled.ready = true;
        begin();
      } else if (message.ok) {
        finish(true, { ok: true, title: message.title ?? '', markdown: message.markdown ?? '' });
      } else {
        finish(true, { ok: false, reason: 'failed', message: message.message ?? 'unknown error' });
      }
    };
    const onError = (error: Error) =>
      finish(false, { ok: false, reason: 'failed', message: error.message });
    const onExit = () =>
      finish(false, { ok: false, reason: 'failed', message: 'its worker stopped' });
    const onAbort = () => finish(false, { abort: signal?.reason });
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (pooled.ready) begin();
  });
}

async function acquire(signal: AbortSignal | undefined): Promise<PooledWorker> {
  signal?.throwIfAborted();
  const free = idle.pop();
  if (free) return take(free);
  if (all.size < MAX_WORKERS) return take(start());
  return new Promise<PooledWorker>((resolve, reject) => {
    const onAbort = () => {
      const at = waiting.indexOf(handOver);
      if (at >= 0) waiting.splice(at, 1);
      reject(signal?.reason);
    };
    const handOver = (pooled: PooledWorker) => {
      signal?.removeEventListener('abort', onAbort);
      resolve(take(pooled));
    };
    waiting.push(handOver);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function take(pooled: PooledWorker): PooledWorker {
  pooled.worker.ref();
  return pooled;
}

/** A healthy worker goes to the next waiting page or idles unref'd; any other is replaced. */
function release(pooled: PooledWorker, healthy: boolean): void {
  let next = pooled;
  if (!healthy) {
    all.delete(pooled);
    void pooled.worker.terminate();
    if (waiting.length === 0) return;
    next = start();
  }
  const handOver = waiting.shift();
  if (handOver) {
    handOver(next);
  } else {
    next.worker.unref();
    idle.push(next);
  }
}

/**
 * From the built package the worker is `html-worker.js`. From the TypeScript sources (tests,
 * `node --import tsx`) it is the .ts file, which the worker can load only after registering
 * tsx's loader itself: loaders of the main thread do not reach workers.
 */
function start(): PooledWorker {
  const options = { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } };
  let worker: Worker;
  if (!fileURLToPath(import.meta.url).endsWith('.ts')) {
    worker = new Worker(new URL('./html-worker.js', import.meta.url), options);
  } else {
    const file = JSON.stringify(new URL('./html-worker.ts', import.meta.url).href);
    const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${file}); });`;
    worker = new Worker(boot, { ...options, eval: true });
  }
  const pooled: PooledWorker = { worker, ready: false };
  // A worker that is idle when its ready message arrives records it here.
  worker.on('message', (message: WorkerMessage) => {
    if (message.ready) pooled.ready = true;
  });
  all.add(pooled);
  return pooled;
}
