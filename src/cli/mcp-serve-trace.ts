import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../core/errors.js';
import { type TraceRecord, traceRecordSchema } from '../trace/schema.js';
import { TraceWriter } from '../trace/writer.js';
import type { FinishedCall } from './mcp-serve-session.js';

/**
 * The trace of `assay mcp serve`: one line per MCP session, written when the session ends.
 * Until then each finished call is appended to `<trace>.partial/<trace_id>.jsonl` (the
 * session's record without calls first, then one line per call: appends, so the cost of a call
 * does not grow with the session), so that a crash keeps every call that finished: the next
 * `mcp serve` on the same trace appends those records (outcome `aborted`).
 *
 * The partial file stays open for the session. Each call's line is written synchronously right
 * after its response has gone out (on the next turn of the event loop, so the write is not on
 * the client's path), lines that finish in the same turn together; a synchronous append of a
 * few hundred bytes costs less than a promise-based write. It is not fsynced per call: a crash
 * of assay loses no finished call (the OS has the bytes), a power loss may lose the calls of
 * open sessions; the session's record is fsynced when the session ends.
 */
export class ServeTrace {
  readonly #writer: TraceWriter;
  readonly #partialDir: string;
  readonly #partials = new Map<string, PartialFile>();

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

  /** Saves a finished call once its response is out; the writes of one session stay in order. */
  progress(finished: FinishedCall): void {
    const { traceId } = finished;
    let file = this.#partials.get(traceId);
    if (file === undefined) {
      const head = `${JSON.stringify({ ...finished.record(), tool_calls: [], messages: [] })}\n`;
      file = { path: this.#partialPath(traceId), fd: null, lines: [head], scheduled: null };
      this.#partials.set(traceId, file);
    }
    file.lines.push(
      `${JSON.stringify({ call: finished.call, messages: finished.messages, at: new Date().toISOString() })}\n`,
    );
    if (file.scheduled === null) {
      const pending = file;
      pending.scheduled = setImmediate(() => writePending(pending));
    }
  }

  /** Appends the finished session's record and drops its partial file. */
  async finish(record: TraceRecord): Promise<void> {
    const file = this.#partials.get(record.trace_id);
    this.#partials.delete(record.trace_id);
    if (file !== undefined) {
      writePending(file);
      if (file.fd !== null) closeQuietly(file.fd);
    }
    await this.#writer.append(record);
    await rm(this.#partialPath(record.trace_id), { force: true });
  }

  close(): Promise<void> {
    return this.#writer.close();
  }

  #partialPath(traceId: string): string {
    return join(this.#partialDir, `${traceId}.jsonl`);
  }

  async #recover(onWarning: (message: string) => void): Promise<void> {
    for (const name of (await readdir(this.#partialDir)).sort()) {
      if (!name.endsWith('.jsonl')) continue;
      const path = join(this.#partialDir, name);
      try {
        const record = rebuild(await readFile(path, 'utf8'));
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

/** The partial file of a session (opened on its first write) and the lines not yet written. */
interface PartialFile {
  path: string;
  fd: number | null;
  lines: string[];
  scheduled: NodeJS.Immediate | null;
}

/** Writes the queued lines in one synchronous append. */
function writePending(file: PartialFile): void {
  if (file.scheduled !== null) clearImmediate(file.scheduled);
  file.scheduled = null;
  if (file.lines.length === 0) return;
  const data = Buffer.from(file.lines.splice(0).join(''));
  try {
    file.fd ??= openSync(file.path, 'a');
    for (let written = 0; written < data.byteLength; ) {
      written += writeSync(file.fd, data, written);
    }
  } catch {
    // The partial file is a crash safeguard only: the session's record is still written.
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing is left to write to it.
  }
}

/** The record of a partial file; a last line cut short by the crash is dropped. */
function rebuild(text: string): TraceRecord {
  const [head, ...rest] = text.split('\n').filter((line) => line.trim() !== '');
  const record = JSON.parse(head ?? '{}') as TraceRecord;
  let endedAt = record.timing.started_at;
  for (const line of rest) {
    let entry: {
      call: TraceRecord['tool_calls'][number];
      messages: TraceRecord['messages'];
      at: string;
    };
    try {
      entry = JSON.parse(line);
    } catch {
      break;
    }
    record.tool_calls.push(entry.call);
    record.messages.push(...entry.messages);
    endedAt = entry.at;
  }
  record.timing = {
    started_at: record.timing.started_at,
    ended_at: endedAt,
    duration_ms: Math.max(0, Date.parse(endedAt) - Date.parse(record.timing.started_at)),
  };
  return traceRecordSchema.parse(record);
}
