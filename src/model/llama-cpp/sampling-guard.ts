import type { LlamaContext } from 'node-llama-cpp';

type NativeCall = (...args: unknown[]) => unknown;

const GUARDED = Symbol.for('assay.llama.firstSamplingAlone');

/**
 * Makes the first sampling after each decode of a context run alone; the others of that
 * decode start when it has finished, together.
 *
 * node-llama-cpp samples each sequence's next token in its own native worker thread, all at
 * once after a decode of several sequences. Each sampling reads the logits through
 * `llama_get_logits` / `llama_get_logits_ith`, and llama.cpp (llama-context.cpp) makes every
 * such read first apply, without a lock, the row swaps it recorded when the decode computed
 * the outputs in another order than the batch's (`output_reorder`), then clear them. With the
 * per-sequence KV streams node-llama-cpp asks for, that happens whenever a batch's sequences
 * are not in order, which depends on when each sequence's next token arrived. Two threads
 * then apply the same swaps, or interleave them, and a sequence samples from another
 * sequence's row: under load, concurrent episodes got text such as `{"xpression":"1111 * 22"}`
 * where each alone gets `{"expression":"111 * 222"}`. The first read after a decode applies
 * the swaps and clears them; reads after it find none to apply. Running every sampling one
 * at a time would also do, but costs concurrent episodes of a small model most of their
 * gain (1.5× to 1.1× episodes/s at 4 sequences with the bundled model).
 *
 * This wraps node-llama-cpp's internal `LlamaContext._ctx` (`decodeBatch`, `sampleToken`;
 * 3.21.1, pinned); if they are missing, the context is left as it is and false returned.
 */
export function sampleFirstAlone(context: LlamaContext): boolean {
  const native = (context as unknown as { _ctx?: Record<string | symbol, unknown> })._ctx;
  if (
    !native ||
    typeof native['sampleToken'] !== 'function' ||
    typeof native['decodeBatch'] !== 'function'
  ) {
    return false;
  }
  if (native[GUARDED] === true) return true;
  const guarded = firstAfterEachDecodeAlone(
    (native['decodeBatch'] as NativeCall).bind(native),
    (native['sampleToken'] as NativeCall).bind(native),
  );
  const define = (key: string | symbol, value: unknown): void => {
    Object.defineProperty(native, key, { value, configurable: true, writable: true });
  };
  define('decodeBatch', guarded.decode);
  define('sampleToken', guarded.sample);
  define(GUARDED, true);
  return true;
}

/**
 * `decode` and `sample` such that the first `sample` call after each `decode` call runs
 * alone, and later ones start once it has settled (whether it succeeded or not).
 */
export function firstAfterEachDecodeAlone(
  decode: NativeCall,
  sample: NativeCall,
): { decode: NativeCall; sample: NativeCall } {
  let first: Promise<unknown> | null = null;
  return {
    decode: (...args) => {
      first = null;
      return decode(...args);
    },
    sample: (...args) => {
      if (first === null) {
        const result = sample(...args);
        first = Promise.resolve(result).catch(() => undefined);
        return result;
      }
      return first.then(() => sample(...args));
    },
  };
}
