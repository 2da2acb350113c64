import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../core/atomic-file.js';
import { errorMessage } from '../core/errors.js';
import { type TraceRecord, traceRecordSchema } from '../trace/schema.js';
import { TraceWriter } from '../trace/writer.js';

/**
 * The trace of `assay mcp serve`: one line per MCP session, written when the session ends.
 * Until then the record so far is kept in `<trace>.partial/<trace_id>.json`, rewritten
 * atomically after each call, so that a crash keeps every call that finished: the next
 * `mcp serve` on the same trace appends those records (outcome `aborted`).
 */
export class ServeTrace {
  readonly #writer: TraceWriter;
  readonly #partialDir: string;
  readonly #pending = new Map<string, Promise<void>>();

  private constructor(writer: TraceWriter, partialDir: string) {
    this.#writer = writer;
    this.#partialDir = partialDir;
  }

  static async open(path: string, onWarning: (message: string) => void): Promise<ServeTrace> {
    const writer = await TraceWriter.open(path);
    const trace = new ServeTrace(writer, `${path}.partial`);
    await mkdir(trace.#partialDir, { recursive: true });
    await trace.#recover(onWarning);
    return trace;
  }

  /** Saves the record so far; writes of one session are kept in order. */
  progress(record: TraceRecord): void {
    const previous = this.#pending.get(record.trace_id) ?? Promise.resolve();
    const next = previous
      .then(() => writeJsonAtomic(this.#partialPath(record.trace_id), record))
      .catch(() => {});
    this.#pending.set(record.trace_id, next);
  }

  /** Appends the finished session's record and drops its partial file. */
  async finish(record: TraceRecord): Promise<void> {
    await this.#pending.get(record.trace_id);
    this.#pending.delete(record.trace_id);
    await this.#writer.append(record);
    await rm(this.#partialPath(record.trace_id), { force: true });
  }

  close(): Promise<void> {
    return this.#writer.close();
  }

  #partialPath(traceId: string): string {
    return join(this.#partialDir, `${traceId}.json`);
  }

  async #recover(onWarning: (message: string) => void): Promise<void> {
    for (const name of (await readdir(this.#partialDir)).sort()) {
      if (!name.endsWith('.json')) continue;
      const path = join(this.#partialDir, name);
      try {
        const record = traceRecordSchema.parse(JSON.parse(await readFile(path, 'utf8')));
        await this.#writer.append(record);
        await rm(path, { force: true });
        onWarning(
          `recovered ${record.tool_calls.length} call(s) of an interrupted MCP session (${record.trace_id})`,
        );
      } catch (error) {
        onWarning(`cannot recover ${path}: ${errorMessage(error)}`);
      }
    }
  }
}
