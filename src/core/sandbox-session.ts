/** What every run in a sandbox is bounded by; a sandbox adds its own limits (CPU time, …). */
export interface SandboxRunOptions {
  /** Wall-clock limit of the run. */
  timeoutMs: number;
  /** Bytes of output kept. */
  outputBytes: number;
  signal?: AbortSignal | undefined;
}

/**
 * One sandbox held for an episode or a check: a Docker container with a Python namespace, or
 * a V8 isolate. State persists between runs, which are queued, never concurrent. A run's
 * failures (an exception, a timeout, a lost sandbox) are data in its outcome; only a sandbox
 * that cannot start throws (`InfraError`). `close` releases the sandbox; it is safe to call
 * twice, and `await using` calls it.
 */
export interface CodeSession<
  Options extends SandboxRunOptions = SandboxRunOptions,
  Outcome = unknown,
> {
  run(code: string, options: Options): Promise<Outcome>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
