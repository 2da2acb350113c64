import { errorMessage } from '../../core/errors.js';
import type { TraceRecord } from '../../trace/schema.js';
import type { Task } from '../task-schema.js';
import { runVisibleTests } from '../verifiers/visible-tests.js';
import type { DecisionContext } from './strategies.js';

/**
 * The review prompt of a `refine:R:tests` round: the output of the task's visible tests on the
 * answer, and nothing else of the task. Hidden tests and the reference answer are never read.
 */
export function testsFeedbackPrompt(output: string, exitCode: number | null): string {
  const status = exitCode === null ? 'did not finish' : `failed (exit code ${exitCode})`;
  const shown = output === '' ? '(no output)' : output.replaceAll('```', "'''");
  return `Your code was run against the visible tests, which ${status}. Their output:\n\`\`\`\n${shown}\n\`\`\`\nFix the code and give the whole corrected program in one python code block.`;
}

export type Feedback =
  | { stop: 'visible_passed'; result: { passed: true; exit_code: number | null } }
  | { stop: 'feedback_error'; result: { passed: false; exit_code: null; error: string } }
  | { stop?: undefined; result: { passed: false; exit_code: number | null }; prompt: string };

export async function visibleFeedback(
  task: Task,
  record: TraceRecord,
  context: DecisionContext,
): Promise<Feedback> {
  try {
    const run = await runVisibleTests(task, record.final_answer, context.verifierContext ?? {});
    if (run.passed)
      return { stop: 'visible_passed', result: { passed: true, exit_code: run.exit_code } };
    return {
      result: { passed: false, exit_code: run.exit_code },
      prompt: testsFeedbackPrompt(run.output, run.exit_code),
    };
  } catch (error) {
    // A sandbox that fails (or a run aborted) mid-loop ends the loop; the answers so far
    // stand, and the round's tag says why. An aborted run's decision is dropped by the runner.
    return {
      stop: 'feedback_error',
      result: { passed: false, exit_code: null, error: errorMessage(error) },
    };
  }
}
