import { VerifierError } from '../../core/errors.js';
import type { Task } from '../task-schema.js';
import type { Verifier, VerifierContext, VerifierResult } from './types.js';

/**
 * Verifier `tests`: the agent's diff applied to a fresh copy of the task's workspace, the
 * hidden tests added, the command run (SWE-bench semantics with fail_to_pass/pass_to_pass).
 * The final answer is not graded; the diff is.
 */
export const workspaceTestsVerifier: Verifier = {
  name: 'tests',
  version: '1',
  async verify(
    task: Task,
    _finalAnswer: string | null,
    ctx: VerifierContext,
  ): Promise<VerifierResult> {
    if (ctx.workspaceGrader === undefined) {
      throw new VerifierError(
        'VERIFIER_FAILED',
        `task ${task.id}: verifier "tests" needs Docker to grade the workspace, and no grader was given`,
      );
    }
    const grade = await ctx.workspaceGrader(task, ctx.workspaceDiff ?? '', ctx.signal);
    return {
      correct: grade.reward === 1,
      extracted: null,
      expected: null,
      details: {
        outcome: grade.status,
        exit_code: grade.exit_code,
        output_tail: grade.output_tail,
        ...(grade.tests ? { tests: grade.tests } : {}),
      },
    };
  },
};
