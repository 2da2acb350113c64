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
  /** Needed by `tests`: grades a diff against the task's workspace in a fresh container. */
  workspaceGrader?: WorkspaceGrader;
  /** The agent's whole diff in the episode's workspace, for `tests`. */
  workspaceDiff?: string;
}

/** How the `tests` verifier's grade came out (see docs/workspace.md). */
export interface WorkspaceGrade {
  status: 'passed' | 'failed' | 'empty_diff' | 'diff_does_not_apply' | 'timeout';
  reward: 0 | 1;
  exit_code: number | null;
  output_tail: string;
  tests?: Record<string, string>;
}

/** Given by the composition root (it needs Docker); throws `InfraError` when Docker fails. */
export type WorkspaceGrader = (
  task: Task,
  diff: string,
  signal?: AbortSignal,
) => Promise<WorkspaceGrade>;

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
