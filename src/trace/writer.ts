import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { AssayError, errorMessage, InfraError, UsageError } from '../core/errors.js';
import { syncDirectory } from '../core/fs-sync.js';
import { storeArtifact, textArtifactPath } from './artifacts.js';
import { type CapResult, type CutText, capTraceRecord } from './caps.js';
import { checkTraceRecord } from './parse-record.js';
import type { TraceRecord } from './schema.js';

export interface TraceWriterOptions {
  /** Flush each record to disk before `append` resolves (default true). */
  fsync?: boolean;
  /**
   * Keeps the full text of each field cut by the trace caps as a text artifact beside the
   * trace (default true), up to TRACE_ARTIFACT_MAX_BYTES per field.
   */
  fieldArtifacts?: boolean;
}

/** The largest cut field kept whole as an artifact; past it only the capped head remains. */
export const TRACE_ARTIFACT_MAX_BYTES = 64 << 20;

const NEWLINE = 0x0a;
const NEWLINE_BYTES = Buffer.from('\n');

interface PendingLine {
  line: Buffer;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Most bytes one write carries when appends pile up while the previous write is syncing. */
const MAX_BATCH_BYTES = 1 << 20;

/**
 * Appends trace records to a JSONL file, one complete line per record, on a descriptor opened
 * in append mode. By default each line is fsynced before its `append` resolves, so a record
 * that was acknowledged survives a crash. Appends from one process are queued and never
 * interleave; lines that queue up while a write is being synced go out together in the next
 * single write and share its fsync (group commit), which is what keeps fsync affordable for
 * many concurrent episodes.
 */
export class TraceWriter {
  readonly path: string;
  readonly #handle: FileHandle;
  readonly #fsync: boolean;
  readonly #fieldArtifacts: boolean;
  #queue: PendingLine[] = [];
  /** Appends storing the full text of cut fields; their lines are queued after. */
  readonly #storing = new Set<Promise<void>>();
  #draining: Promise<void> | undefined;
  #needsNewline: boolean;
  #closing: Promise<void> | undefined;

  private constructor(
    path: string,
    handle: FileHandle,
    fsync: boolean,
    needsNewline: boolean,
    fieldArtifacts: boolean,
  ) {
    this.path = path;
    this.#handle = handle;
    this.#fsync = fsync;
    this.#fieldArtifacts = fieldArtifacts;
    this.#needsNewline = needsNewline;
  }

  /** Opens (creating it and its folders if needed) a trace file for appending. */
  static async open(path: string, options: TraceWriterOptions = {}): Promise<TraceWriter> {
    const fsync = options.fsync ?? true;
    const file = resolve(path);
    const folder = dirname(file);
    let handle: FileHandle | undefined;
    try {
      const firstCreated = await mkdir(folder, { recursive: true });
      // 'a+' appends every write at the end and still allows reading the last byte.
      handle = await open(file, 'a+');
      const { size } = await handle.stat();
      const needsNewline = size > 0 && (await lastByte(handle, size)) !== NEWLINE;
      if (fsync && size === 0) await syncNewEntries(folder, firstCreated);
      return new TraceWriter(path, handle, fsync, needsNewline, options.fieldArtifacts ?? true);
    } catch (error) {
      await handle?.close();
      throw new UsageError(
        'TRACE_WRITE_FAILED',
        `cannot open trace file ${path} for appending: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }

  /**
   * Caps the record's fields (see docs/traces.md), validates it, then appends it as one line
   * and resolves with the record as written. A record that does not match the schema is a bug
   * in assay, so it throws `TRACE_INVALID` naming the field instead of writing a line no
   * reader could use.
   */
  async append(record: TraceRecord): Promise<TraceRecord> {
    if (this.#closing) {
      throw new AssayError('INTERNAL', `the trace writer for ${this.path} is closed`);
    }
    // Capping is synchronous so that a record is queued before append returns to the caller,
    // and close() waits for it; only the full texts of cut fields are stored asynchronously.
    const capped = serializeRecord(record, this.#artifactPlanner());
    const stored = capped.cut.some((cut) => cut.artifact !== undefined)
      ? this.#storeCutTexts(capped.record.trace_id, capped.cut)
      : undefined;
    if (stored) this.#storing.add(stored);
    try {
      await stored;
    } finally {
      if (stored) this.#storing.delete(stored);
    }
    await new Promise<void>((resolve, reject) => {
      this.#queue.push({ line: capped.line, resolve, reject });
      this.#draining ??= this.#drain();
    });
    return capped.record;
  }

  /** Names the artifact each cut text will be stored as (hashing each text once). */
  #artifactPlanner(): (text: string, path: string) => string | undefined {
    const file = resolve(this.path);
    const planned = new Map<string, string | undefined>();
    return (text, path) => {
      if (!this.#fieldArtifacts || text.length > TRACE_ARTIFACT_MAX_BYTES) return undefined;
      const key = `${path}:${text.length}`;
      if (!planned.has(key)) {
        const bytes = Buffer.from(text, 'utf8');
        planned.set(
          key,
          bytes.length > TRACE_ARTIFACT_MAX_BYTES ? undefined : textArtifactPath(file, bytes),
        );
      }
      return planned.get(key);
    };
  }

  async #storeCutTexts(traceId: string, cuts: readonly CutText[]): Promise<void> {
    const file = resolve(this.path);
    for (const cut of cuts) {
      if (cut.artifact === undefined) continue;
      const data = Buffer.from(cut.text, 'utf8');
      await storeArtifact(file, traceId, {
        name: `${cut.path}.txt`,
        mime_type: 'text/plain',
        data,
      });
    }
  }

  /** Waits for queued appends, then closes the file. Safe to call more than once. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#storing]);
      await this.#draining;
      await this.#handle.close();
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = takeBatch(this.#queue);
      try {
        await this.#write(
          batch.length === 1 ? batch[0]!.line : Buffer.concat(batch.map((p) => p.line)),
        );
        for (const pending of batch) pending.resolve();
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.#draining = undefined;
  }

  async #write(lines: Buffer): Promise<void> {
    // A torn line left by a crash gets its newline first, so this record starts on its own line.
    const bytes = this.#needsNewline ? Buffer.concat([NEWLINE_BYTES, lines]) : lines;
    try {
      this.#needsNewline = true;
      await writeFully(this.#handle, bytes);
      this.#needsNewline = false;
      if (this.#fsync) await this.#handle.datasync();
    } catch (error) {
      throw new InfraError(
        'TRACE_WRITE_FAILED',
        `cannot append to trace file ${this.path}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }
}

/** Takes queued lines up to MAX_BATCH_BYTES (always at least one) off the front of the queue. */
function takeBatch(queue: PendingLine[]): PendingLine[] {
  let count = 0;
  let bytes = 0;
  while (
    count < queue.length &&
    (count === 0 || bytes + queue[count]!.line.length <= MAX_BATCH_BYTES)
  ) {
    bytes += queue[count]!.line.length;
    count++;
  }
  return queue.splice(0, count);
}

/** One capped JSON line for the record, after checking that what will be read back is valid. */
function serializeRecord(
  record: TraceRecord,
  artifactFor: (text: string, path: string) => string | undefined,
): CapResult {
  const id = typeof record.trace_id === 'string' ? record.trace_id : '(no trace_id)';
  let capped: CapResult;
  try {
    capped = capTraceRecord(record, { artifactFor });
  } catch (error) {
    throw new AssayError(
      'TRACE_INVALID',
      `trace record ${id} cannot be written as JSON: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  // Checking the JSON form, not the object, catches values that do not survive serialization.
  const check = checkTraceRecord(JSON.parse(capped.line.toString('utf8')));
  if (!check.ok) {
    throw new AssayError('TRACE_INVALID', `trace record ${id} is invalid: ${check.error}`, {
      details: { trace_id: id },
    });
  }
  return capped;
}

async function writeFully(handle: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, null);
    offset += bytesWritten;
  }
}

async function lastByte(handle: FileHandle, size: number): Promise<number | undefined> {
  const buffer = Buffer.alloc(1);
  const { bytesRead } = await handle.read(buffer, 0, 1, size - 1);
  return bytesRead === 1 ? buffer[0] : undefined;
}

/** Makes a new file's directory entry durable, and those of folders `mkdir` just created. */
async function syncNewEntries(folder: string, firstCreated: string | undefined): Promise<void> {
  await syncDirectory(folder);
  if (firstCreated === undefined) return;
  let dir = folder;
  while (dir !== dirname(firstCreated) && dir !== dirname(dir)) {
    dir = dirname(dir);
    await syncDirectory(dir);
  }
}
