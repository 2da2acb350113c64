import ivm from 'isolated-vm';
import { errorMessage, InfraError } from '../../src/core/errors.js';
import { NO_NODE_SNAPSHOT_FLAG, runsWithoutNodeSnapshot } from '../../src/core/node-snapshot.js';
import type { CodeSession } from '../../src/core/sandbox-session.js';
import { failIfCatastrophic, isolatesFailed, recordCatastrophe } from './catastrophe.js';
import { type IsolateRunError, mapIsolateError } from './errors.js';
import {
  type IsolateRunOptions,
  type IsolateRunOutcome,
  type IsolateSessionOptions,
  type IsolateValue,
  killedError,
  NEVER_SETTLED,
  parseThrown,
  parseValue,
  seconds,
  withDeadline,
} from './outcome.js';
import { OutputBuffer } from './output-buffer.js';
import { PRELUDE_SOURCE } from './prelude.js';
import { toReplSource } from './repl-source.js';

export { isolatesFailed } from './catastrophe.js';
export type {
  IsolateRunOptions,
  IsolateRunOutcome,
  IsolateSessionOptions,
  IsolateValue,
} from './outcome.js';

/** Time past the run's own timeout after which the host stops waiting and destroys the isolate. */
const HARD_DEADLINE_GRACE_MS = 500;
const CPU_POLL_MS = 20;
const SETTLE_GRACE_MS = 150;
const MAX_MEMORY_MB = 4_096;
const MIN_MEMORY_MB = 8;

/**
 * One V8 isolate and context for one episode, behind a promise-only API whose failures are
 * data. The context keeps its globals between runs; runs are queued, never concurrent.
 * isolated-vm's own timeout stops runaway code and keeps the context usable; a CPU-time
 * watchdog and a hard deadline dispose the isolate when that is not enough.
 */
export class IsolateSession implements CodeSession<IsolateRunOptions, IsolateRunOutcome> {
  readonly memoryMb: number;
  readonly #isolate: ivm.Isolate;
  readonly #context: ivm.Context;
  readonly #begin: ivm.Reference<(outputChars: number, valueChars: number) => void>;
  readonly #runSource: ivm.Reference<(source: string) => Promise<string>>;
  /** Global `let` bindings made for top-level declarations of earlier runs (see repl-source). */
  readonly #lexical = new Set<string>();
  #output: OutputBuffer | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    memoryMb: number,
    isolate: ivm.Isolate,
    context: ivm.Context,
    begin: ivm.Reference<(outputChars: number, valueChars: number) => void>,
    runSource: ivm.Reference<(source: string) => Promise<string>>,
  ) {
    this.memoryMb = memoryMb;
    this.#isolate = isolate;
    this.#context = context;
    this.#begin = begin;
    this.#runSource = runSource;
  }

  /**
   * Creates an isolate with a fresh context and the prelude installed. Throws `InfraError`
   * (`ISOLATE_FAILED`) after any isolate of this process had a catastrophic error: V8 may be
   * in an undefined state then, so no further code runs in this process. Throws it too in a
   * process that started from Node's snapshot: isolated-vm needs `node --no-node-snapshot` on
   * Node 20 and later, and an isolate made without it may crash the process.
   */
  static async create(options: IsolateSessionOptions): Promise<IsolateSession> {
    failIfCatastrophic();
    if (!runsWithoutNodeSnapshot()) {
      throw new InfraError(
        'ISOLATE_FAILED',
        `cannot start a JavaScript isolate: isolated-vm needs Node started with ${NO_NODE_SNAPSHOT_FLAG} (run \`node ${NO_NODE_SNAPSHOT_FLAG} your-script.js\` or set NODE_OPTIONS=${NO_NODE_SNAPSHOT_FLAG})`,
      );
    }
    const memoryMb = Math.min(MAX_MEMORY_MB, Math.max(MIN_MEMORY_MB, Math.floor(options.memoryMb)));
    const isolate = new ivm.Isolate({
      memoryLimit: memoryMb,
      onCatastrophicError: recordCatastrophe,
    });
    try {
      const context = await isolate.createContext();
      let session: IsolateSession | undefined;
      const emit = new ivm.Callback((stream: unknown, text: unknown) => {
        if (typeof text !== 'string' || (stream !== 'out' && stream !== 'err')) return 0;
        const output = session === undefined ? null : session.#output;
        return output === null ? 0 : output.append(text);
      });
      const api = await context.evalClosure(`return (${PRELUDE_SOURCE})($0);`, [emit], {
        result: { reference: true },
        timeout: 5_000,
      });
      const begin = await api.get('begin', { reference: true });
      const runSource = await api.get('run', { reference: true });
      api.release();
      session = new IsolateSession(memoryMb, isolate, context, begin, runSource);
      return session;
    } catch (error) {
      if (!isolate.isDisposed) isolate.dispose();
      throw new InfraError(
        'ISOLATE_FAILED',
        `cannot start a JavaScript isolate: ${errorMessage(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  /** True once the isolate is gone; runs then fail with `ISOLATE_DISPOSED`. */
  get disposed(): boolean {
    return this.#isolate.isDisposed;
  }

  /** Runs code as a script: top-level declarations stay for later runs. Never rejects. */
  run(code: string, options: IsolateRunOptions): Promise<IsolateRunOutcome> {
    const next = this.#queue.then(() => this.#runNow(code, options));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    this.#release();
  }

  /** @deprecated The same as `close()`, the name every sandbox session shares. */
  async dispose(): Promise<void> {
    await this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #runNow(code: string, options: IsolateRunOptions): Promise<IsolateRunOutcome> {
    failIfCatastrophic();
    const output = new OutputBuffer(options.outputBytes);
    const empty = (error: IsolateRunError, lost: boolean): IsolateRunOutcome => ({
      ok: false,
      value: null,
      output: output.text,
      outputTruncated: output.truncated,
      error,
      cpuMs: 0,
      wallMs: 0,
      lost,
    });
    if (this.disposed) {
      return empty(
        { code: 'ISOLATE_DISPOSED', message: 'The JavaScript context was shut down.' },
        true,
      );
    }
    if (options.signal?.aborted)
      return empty({ code: 'ABORTED', message: 'The run was cancelled.' }, false);

    const isolate = this.#isolate;
    const cpuStart = isolate.cpuTime;
    const wallStart = performance.now();
    let killed: 'TIMEOUT' | 'CPU_LIMIT' | 'ABORTED' | null = null;
    let onDeadline: (outcome: IsolateRunOutcome) => void = () => undefined;
    const deadline = new Promise<IsolateRunOutcome>((resolve) => {
      onDeadline = resolve;
    });
    const finish = (
      value: IsolateValue | null,
      error: IsolateRunError | null,
    ): IsolateRunOutcome => ({
      ok: error === null,
      value,
      output: output.text,
      outputTruncated: output.truncated,
      error,
      cpuMs: this.disposed ? 0 : Number(isolate.cpuTime - cpuStart) / 1e6,
      wallMs: performance.now() - wallStart,
      lost: this.disposed,
    });
    const kill = (why: 'TIMEOUT' | 'CPU_LIMIT' | 'ABORTED') => {
      if (killed !== null) return;
      killed = why;
      this.#release();
      onDeadline(finish(null, killedError(why, options)));
    };
    const hard = setTimeout(() => kill('TIMEOUT'), options.timeoutMs + HARD_DEADLINE_GRACE_MS);
    const watchdog =
      options.cpuMs < options.timeoutMs
        ? setInterval(() => {
            if (!isolate.isDisposed && Number(isolate.cpuTime - cpuStart) / 1e6 > options.cpuMs)
              kill('CPU_LIMIT');
          }, CPU_POLL_MS)
        : undefined;
    const onAbort = () => kill('ABORTED');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    this.#output = output;

    const work = async (): Promise<IsolateRunOutcome> => {
      const left = () =>
        Math.max(1, Math.ceil(options.timeoutMs - (performance.now() - wallStart)));
      let source: string;
      try {
        await this.#begin.apply(
          undefined,
          [output.remainingChars, Math.max(64, options.outputBytes)],
          {
            timeout: left(),
          },
        );
        // Compiled only for V8's syntax errors, which carry no user object.
        (await isolate.compileScript(code, { filename: 'input.js' })).release();
        source = await this.#declare(code, left());
      } catch (error) {
        return finish(
          null,
          killed ? killedError(killed, options) : mapIsolateError(error, 'compile'),
        );
      }
      try {
        const json = await withDeadline(
          this.#runSource.apply(undefined, [source], {
            timeout: left(),
            arguments: { copy: true },
            result: { promise: true, copy: true },
          }),
          // isolated-vm's own timeout names a busy isolate; this later one a promise left pending.
          left() + SETTLE_GRACE_MS,
        );
        return settled(json);
      } catch (error) {
        if (killed) return finish(null, killedError(killed, options));
        if (error === NEVER_SETTLED) {
          const message = `The promise the code returned did not settle within ${seconds(options.timeoutMs)}; this sandbox has no timers or I/O that could settle it later.`;
          return finish(null, { code: 'TIMEOUT', message });
        }
        const mapped = mapIsolateError(error, 'run');
        return finish(null, mapped.code === 'TIMEOUT' ? killedError('TIMEOUT', options) : mapped);
      }
    };
    const settled = (json: unknown): IsolateRunOutcome => {
      const thrown = parseThrown(json);
      return thrown === null
        ? finish(parseValue(json), null)
        : finish(null, { code: 'RUNTIME_ERROR', message: thrown });
    };

    try {
      return await Promise.race([work(), deadline]);
    } finally {
      clearTimeout(hard);
      if (watchdog) clearInterval(watchdog);
      options.signal?.removeEventListener('abort', onAbort);
      this.#output = null;
    }
  }

  /**
   * Rewrites the code for `eval` and declares the global `let` bindings its top-level
   * declarations need. The declaring script holds only names from the parser, never user code.
   */
  async #declare(code: string, timeoutMs: number): Promise<string> {
    const repl = toReplSource(code);
    if (repl === null) return `${code}\n//# sourceURL=input.js`;
    const fresh = [...new Set(repl.lexicalNames)].filter((name) => !this.#lexical.has(name));
    if (fresh.length > 0) {
      const script = await this.#isolate.compileScript(`let ${fresh.join(', ')};`, {
        filename: 'input.js',
      });
      try {
        await script.run(this.#context, { timeout: timeoutMs });
      } finally {
        script.release();
      }
      for (const name of fresh) this.#lexical.add(name);
    }
    return `${repl.source}\n//# sourceURL=input.js`;
  }

  #release(): void {
    if (this.#isolate.isDisposed || isolatesFailed()) return;
    try {
      this.#isolate.dispose();
    } catch {
      // Disposing twice or while V8 tears the isolate down is harmless; the flag says it is gone.
    }
  }
}
