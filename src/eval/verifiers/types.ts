import type { Task, VerifierName } from '../task-schema.js';

/**
 * What a verifier concluded about one final answer. `correct: null` means the answer could not
 * be scored (not that it was wrong); `details` says how the verdict was reached.
 */
export interface VerifierResult {
  correct: boolean | null;
  extracted: string | null;
  expected: string | null;
  details: Record<string, unknown>;
  /** One sentence on what was extracted from each side and why they matched or not. */
  explanation?: string;
}

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

export interface VerifierContext {
  signal?: AbortSignal;
  /** Needed by `code_tests`; a missing runner is a verifier error. */
  codeRunner?: CodeRunner;
}

/**
 * A named, versioned way of checking answers. The version changes whenever a verdict could
 * change, so a rescored trace says which rules produced it. A verifier that cannot run throws
 * `VerifierError`, or `InfraError` when a sandbox it needs is down.
 */
export interface Verifier {
  readonly name: VerifierName;
  readonly version: string;
  verify(task: Task, finalAnswer: string | null, ctx: VerifierContext): Promise<VerifierResult>;
}
