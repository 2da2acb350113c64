import type { CodeRunner } from '../../core/code-runner.js';
import type { Task, VerifierName } from '../task-schema.js';

export type { CodeRunner, CodeRunResult } from '../../core/code-runner.js';

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
