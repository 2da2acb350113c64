import type { LlamaContext, LlamaContextSequence } from 'node-llama-cpp';
import { AssayError } from '../../core/errors.js';

/**
 * The sequences of one llama.cpp context, lent to one step at a time. Concurrent episodes each
 * get their own sequence and llama.cpp evaluates them in shared batches; a step that finds
 * none free waits in line.
 */
export class SequencePool {
  readonly #free: LlamaContextSequence[] = [];
  readonly #waiting: ((sequence: LlamaContextSequence) => void)[] = [];

  constructor(context: LlamaContext) {
    for (let i = 0; i < context.totalSequences; i++) this.#free.push(context.getSequence());
  }

  acquire(signal: AbortSignal | undefined): Promise<LlamaContextSequence> {
    const sequence = this.#free.pop();
    if (sequence) return Promise.resolve(sequence);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(take);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(new AssayError('ABORTED', 'aborted while waiting for a free llama.cpp sequence'));
      };
      const take = (seq: LlamaContextSequence): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(seq);
      };
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(take);
    });
  }

  release(sequence: LlamaContextSequence): void {
    const next = this.#waiting.shift();
    if (next) next(sequence);
    else this.#free.push(sequence);
  }
}
