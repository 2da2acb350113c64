import { UsageError } from '../../core/errors.js';
import type { Task } from '../task-schema.js';
import type { Strategy } from './strategy-spec.js';

/**
 * A strategy arm's episodes run without a workspace (they share the arm's tools), so a
 * repository task would be graded on an empty diff: refused rather than scored 0.
 */
export function refuseStrategyWorkspaces(
  arms: readonly { name: string; strategy?: Strategy }[],
  tasks: readonly Task[],
  suitePath: string,
): void {
  const arm = arms.find((a) => a.strategy !== undefined && a.strategy.name !== 'single');
  const task = tasks.find((t) => t.workspace !== undefined);
  if (arm && task) {
    throw new UsageError(
      'USAGE',
      `--arms: arm "${arm.name}" uses the ${arm.strategy!.name} strategy, which does not run repository tasks yet; task "${task.id}" of ${suitePath} has a workspace (docs/strategies.md)`,
    );
  }
}

/**
 * `refine:R:tests` needs visible tests on every task, so each of its rounds has feedback to
 * give; an arm run on a task without them would quietly be `refine:R:self`.
 */
export function refuseTestsFeedbackWithout(
  arms: readonly { name: string; strategy?: Strategy }[],
  tasks: readonly Task[],
  suitePath: string,
): void {
  const arm = arms.find((a) => a.strategy?.name === 'refine' && a.strategy.feedback === 'tests');
  if (!arm) return;
  const task = tasks.find((t) => t.visible_tests === undefined);
  if (task) {
    throw new UsageError(
      'USAGE',
      `--arms: arm "${arm.name}" uses refine:…:tests, but task "${task.id}" of ${suitePath} has no "visible_tests" (a code_tests field; docs/suites.md)`,
    );
  }
}
