import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../src/core/errors.js';
import { pushTarHeader, TAR_END_BYTES, tarPadding } from './tar-writer.js';

/** A copy is packed into, and sent in, chunks of this size. */
export const CHUNK_BYTES = 1024 * 1024;

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** What tarChunks packs: the listed entries of a folder, files at their listed sizes. */
export interface ChunkSource {
  root: string;
  entries: readonly {
    path: string;
    kind: 'file' | 'dir' | 'symlink';
    size: number;
    mode: number;
    target?: string | undefined;
  }[];
}

/**
 * Chunk buffers handed out for packing and taken back once sent, so a 50 MB copy goes through
 * a handful of buffers instead of one allocation per file and per chunk.
 */
export class ChunkPool {
  #free: Buffer[] = [];
  /** Each chunk handed out (a view of the first bytes of one buffer) and its whole buffer. */
  #whole = new WeakMap<Buffer, Buffer>();
  /** How many buffers were ever allocated (the rest of the chunks reused them). */
  allocated = 0;

  take(): Buffer {
    const reused = this.#free.pop();
    if (reused) return reused;
    this.allocated++;
    // Unsafe is fine: every byte of a chunk handed out is written first.
    return Buffer.allocUnsafeSlow(CHUNK_BYTES);
  }

  view(whole: Buffer, length: number): Buffer {
    const chunk = whole.subarray(0, length);
    this.#whole.set(chunk, whole);
    return chunk;
  }

  /** The chunk's bytes are no longer needed (the socket took them): its buffer is reused. */
  release(chunk: Buffer): void {
    const whole = this.#whole.get(chunk);
    if (!whole) return;
    this.#whole.delete(chunk);
    this.#free.push(whole);
  }
}

/**
 * A tar of the listing, written straight into chunk buffers: headers are copied in and each
 * file is read into the chunk with `readSync` (no buffer per file, no concatenation). A file is
 * packed at its size when opened, cut at its listed size (the caps were checked against those);
 * the tar ends with zero bytes up to `length`, so a file that shrank since the listing keeps the
 * announced length. Every chunk is CHUNK_BYTES long but the last.
 */
export function* tarChunks(
  source: ChunkSource,
  pool: ChunkPool,
  length: number,
): Generator<Buffer, void, undefined> {
  let chunk = pool.take();
  let at = 0;
  let written = 0;
  const headers: Buffer[] = [];

  function* full(): Generator<Buffer, void, undefined> {
    if (at < CHUNK_BYTES) return;
    written += at;
    yield pool.view(chunk, at);
    chunk = pool.take();
    at = 0;
  }
  function* copy(bytes: Buffer): Generator<Buffer, void, undefined> {
    let from = 0;
    while (from < bytes.length) {
      const n = bytes.copy(chunk, at, from);
      from += n;
      at += n;
      yield* full();
    }
  }
  function* zeros(count: number): Generator<Buffer, void, undefined> {
    while (count > 0) {
      const n = Math.min(count, CHUNK_BYTES - at);
      chunk.fill(0, at, at + n);
      at += n;
      count -= n;
      yield* full();
    }
  }
  function* file(path: string, size: number, mode: number): Generator<Buffer, void, undefined> {
    const fd = openSync(join(source.root, path), OPEN_FLAGS);
    try {
      const info = fstatSync(fd);
      if (!info.isFile())
        throw new UsageError(
          'INPUT_INVALID',
          `workspace ${source.root}: ${path} is no longer a regular file`,
        );
      const bytes = Math.min(info.size, size);
      headers.length = 0;
      pushTarHeader(headers, { kind: 'file', name: path, mode, size: bytes });
      for (const header of headers) yield* copy(header);
      let left = bytes;
      let position = 0;
      while (left > 0) {
        const n = readSync(fd, chunk, at, Math.min(left, CHUNK_BYTES - at), position);
        // Shorter than when opened: the rest of the entry is zeros, the length stays exact.
        if (n === 0) break;
        at += n;
        position += n;
        left -= n;
        yield* full();
      }
      yield* zeros(left + tarPadding(bytes));
    } finally {
      closeSync(fd);
    }
  }

  for (const entry of source.entries) {
    if (entry.kind === 'file') {
      yield* file(entry.path, entry.size, entry.mode | 0o600);
      continue;
    }
    headers.length = 0;
    if (entry.kind === 'dir') pushTarHeader(headers, { kind: 'dir', name: entry.path });
    else pushTarHeader(headers, { kind: 'symlink', name: entry.path, target: entry.target ?? '' });
    for (const header of headers) yield* copy(header);
  }
  yield* zeros(TAR_END_BYTES);
  yield* zeros(length - written - at);
  if (at > 0) {
    written += at;
    yield pool.view(chunk, at);
  } else pool.release(pool.view(chunk, 0));
}
