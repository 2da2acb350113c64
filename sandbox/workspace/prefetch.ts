import type { TarStream } from './source-files.js';

/** How many packed chunks may wait for the socket: enough to cover a container's start. */
export const PACK_AHEAD = 8;

export interface PrefetchedTar extends TarStream {
  /** Settles when packing ended: every chunk packed, stopped, or the error that ended it. */
  packed: Promise<void>;
  /** Stops packing (the copy failed elsewhere); `packed` then settles. */
  stop(): void;
}

/**
 * Packs a stream's chunks before anyone reads them (packing runs while the container starts),
 * at most `ahead` of the reader; the reader gets them in order and waits for the rest. The
 * event loop runs between chunks, so the container's start is not held up by packing. The
 * stream's `release` is passed on: a chunk's buffer is reused once the socket has taken it.
 */
export function prefetch(tar: TarStream, ahead = PACK_AHEAD): PrefetchedTar {
  const queue: Buffer[] = [];
  let done = false;
  let stopped = false;
  let failure: { error: unknown } | undefined;
  let wakeReader: (() => void) | undefined;
  let wakePacker: (() => void) | undefined;
  const source = tar.chunks[Symbol.asyncIterator]();
  const packed = (async () => {
    try {
      for (;;) {
        while (queue.length >= ahead && !stopped)
          await new Promise<void>((resolve) => {
            wakePacker = resolve;
          });
        if (stopped) {
          await source.return?.();
          break;
        }
        const next = await source.next();
        if (next.done) break;
        queue.push(next.value);
        wakeReader?.();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      failure = { error };
    }
    done = true;
    wakeReader?.();
    if (failure) throw failure.error;
  })();
  packed.catch(() => undefined);
  async function* read(): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = queue.shift();
      if (chunk) {
        wakePacker?.();
        yield chunk;
        continue;
      }
      if (failure) throw failure.error;
      if (done) return;
      await new Promise<void>((resolve) => {
        wakeReader = resolve;
      });
      wakeReader = undefined;
    }
  }
  return {
    bytes: tar.bytes,
    chunks: read(),
    release: tar.release,
    packed,
    stop: () => {
      stopped = true;
      wakePacker?.();
    },
  };
}
