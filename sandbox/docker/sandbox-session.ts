import { AssayError } from '../../src/core/errors.js';
import type { CodeSession } from '../../src/core/sandbox-session.js';
import type { StreamOutput } from './protocol.js';
import type { SandboxContainer } from './sandbox-container.js';

export interface SessionRunOptions {
  /** When set, a `code_tests` verification of the code (the candidate) against these tests. */
  tests?: string | undefined;
  timeoutMs: number;
  outputBytes: number;
  signal?: AbortSignal | undefined;
}

export interface SessionArtifact {
  /** A figure's name (`figure-1.png`) or a file's path relative to the workspace. */
  name: string;
  data: Buffer;
}

export type ExecutionStatus = 'ok' | 'error' | 'timeout' | 'killed' | 'oom' | 'crashed';

/** What one call produced, ready to render for the model. */
export interface ExecutionOutcome {
  status: ExecutionStatus;
  stdout: StreamOutput;
  stderr: StreamOutput;
  value: string | null;
  error: { type: string; message: string; traceback: string } | null;
  figures: SessionArtifact[];
  files: SessionArtifact[];
  filesOmitted: { path: string; size: number }[];
  stoppedProcesses: number;
  /** Wall time of the call as seen from the host. */
  durationMs: number;
  timeoutMs: number;
  /** The container the call ran in (12 hex digits), for finding it in `docker ps`. */
  containerId: string;
  /** Why the container this call ended (killed, out of memory, crashed); absent when it lives on. */
  lost?: string;
  /** Set when this call ran in a fresh container because the previous one was lost. */
  restartedAfter?: string;
}

const EMPTY: StreamOutput = { head: '', tail: '', total_bytes: 0, dropped_bytes: 0 };
const DEFAULT_GRACE_MS = 2_000;

/**
 * One episode's Python: a namespace that persists across calls, living in one container. When
 * the container is lost (code that ignored its timeout, out of memory, a crash) the next call
 * gets a fresh one and is told that earlier state is gone. Calls run one at a time.
 */
export class SandboxSession implements CodeSession<SessionRunOptions, ExecutionOutcome> {
  readonly #acquire: (signal?: AbortSignal) => Promise<SandboxContainer>;
  readonly #graceMs: number;
  #container: SandboxContainer | undefined;
  #lostReason: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(
    acquire: (signal?: AbortSignal) => Promise<SandboxContainer>,
    options: { graceMs?: number } = {},
  ) {
    this.#acquire = acquire;
    this.#graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  }

  /** The container in use, if one has been acquired and is still alive. */
  get container(): SandboxContainer | undefined {
    return this.#container?.alive ? this.#container : undefined;
  }

  /** Acquires the container now rather than on the first call. */
  async prepare(signal?: AbortSignal): Promise<SandboxContainer> {
    if (this.#closed) throw new AssayError('ABORTED', 'the python session is closed');
    if (this.#container?.alive) return this.#container;
    if (this.#container) {
      this.#lostReason ??= 'the sandbox stopped';
      void this.#container.dispose().catch(() => undefined);
    }
    this.#container = await this.#acquire(signal);
    return this.#container;
  }

  run(code: string, options: SessionRunOptions): Promise<ExecutionOutcome> {
    const next = this.#queue.then(() => this.#runNow(code, options));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
    const container = this.#container;
    this.#container = undefined;
    await container?.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #runNow(code: string, options: SessionRunOptions): Promise<ExecutionOutcome> {
    const container = await this.prepare(options.signal);
    const restartedAfter = this.#lostReason;
    this.#lostReason = undefined;
    const outcome = await container.exec({ ...options, code, graceMs: this.#graceMs });
    const base = {
      stdout: EMPTY,
      stderr: EMPTY,
      value: null,
      error: null,
      figures: [],
      files: [],
      filesOmitted: [],
      stoppedProcesses: 0,
      durationMs: outcome.wallMs,
      containerId: container.id.slice(0, 12),
      timeoutMs: options.timeoutMs,
      ...(restartedAfter ? { restartedAfter } : {}),
    };
    if (outcome.kind === 'killed') {
      this.#lostReason = `a call ran past its ${formatSeconds(options.timeoutMs)} timeout and ignored the interrupt`;
      return { ...base, status: 'killed', lost: this.#lostReason };
    }
    if (outcome.kind === 'died') {
      this.#lostReason =
        outcome.reason === 'oom' ? 'a call ran out of memory' : 'the sandbox crashed';
      return {
        ...base,
        status: outcome.reason === 'oom' ? 'oom' : 'crashed',
        lost: outcome.detail,
      };
    }
    const r = outcome.result;
    return {
      ...base,
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      value: r.value,
      error: r.error,
      figures: r.figures.map((f) => ({
        name: f.name ?? 'figure.png',
        data: Buffer.from(f.data, 'base64'),
      })),
      files: r.files.map((f) => ({ name: f.path ?? 'file', data: Buffer.from(f.data, 'base64') })),
      filesOmitted: r.files_omitted,
      stoppedProcesses: r.stopped_processes,
    };
  }
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
