/** The outcome of running a program in a sandbox; `ok` is false only when it could not finish. */
export interface CodeRunResult {
  /** The program ran to its end (whatever its exit code); false on a timeout or a kill. */
  ok: boolean;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  /** Why the program did not finish (`timeout`, `memory`, …) when `ok` is false. */
  error?: string;
}

/**
 * Runs candidate code for `code_tests`, backed by the python sandbox. It throws `InfraError`
 * when the sandbox itself fails (engine gone, image missing); a program that crashes or times
 * out is a normal result with `ok: false` or a nonzero exit code.
 */
export interface CodeRunner {
  /**
   * Runs `tests` against `candidate`. `exitCode` 0 means the tests ran to their end, and must
   * come from a place the candidate's code cannot write to (the sandbox runs the tests in a
   * process of their own and reports its exit status).
   */
  runTests(
    candidate: string,
    tests: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<CodeRunResult>;
}
