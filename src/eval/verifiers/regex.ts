import vm from 'node:vm';
import { errorMessage, VerifierError } from '../../core/errors.js';
import type { Task } from '../task-schema.js';
import type { Verifier, VerifierResult } from './types.js';

/** A match that backtracks longer than this is stopped and reported, not waited for. */
export const REGEX_TIMEOUT_MS = 500;

interface RegexMatch {
  text: string;
  index: number;
}

// One context serves every check; each runs synchronously, so inputs never interleave.
const context = vm.createContext(Object.create(null));
vm.runInContext(
  `globalThis.__match = (input) => {
    const m = new RegExp(input.pattern, input.flags).exec(input.text);
    return m === null ? null : { text: m[0], index: m.index };
  };`,
  context,
);
const MATCH_SCRIPT = new vm.Script('__match(__input)');

/**
 * The task's `pattern` (with `flags`) against the trimmed final answer. `match: "search"` (the
 * default) passes when the pattern matches anywhere; `match: "full"` requires it to match the
 * whole answer (the pattern is wrapped as `^(?:…)$`). The match runs under a time limit, so a
 * pattern that backtracks catastrophically on some answer cannot stall the runner.
 */
export const regexVerifier: Verifier = {
  name: 'regex',
  version: '1',
  async verify(task: Task, finalAnswer: string | null): Promise<VerifierResult> {
    const pattern = task.pattern;
    if (pattern === undefined) {
      throw new VerifierError(
        'VERIFIER_FAILED',
        `task ${task.id}: verifier "regex" needs a "pattern"`,
      );
    }
    const expected = task.answer ?? pattern;
    const flags = task.flags ?? '';
    const mode = task.match ?? 'search';
    if (finalAnswer === null || finalAnswer.trim() === '') {
      return { correct: false, extracted: null, expected, details: { reason: 'no final answer' } };
    }
    const source = mode === 'full' ? `^(?:${pattern})$` : pattern;
    const match = runMatch(task.id, source, flags, finalAnswer.trim());
    return {
      correct: match !== null,
      extracted: match?.text ?? null,
      expected,
      details: { pattern, flags, match: mode, ...(match === null ? {} : { index: match.index }) },
    };
  },
};

function runMatch(taskId: string, pattern: string, flags: string, text: string): RegexMatch | null {
  context['__input'] = { pattern, flags, text };
  try {
    const result: unknown = MATCH_SCRIPT.runInContext(context, { timeout: REGEX_TIMEOUT_MS });
    return result === null ? null : (result as RegexMatch);
  } catch (error) {
    const timedOut = (error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
    const message = timedOut
      ? `task ${taskId}: the pattern ran longer than ${REGEX_TIMEOUT_MS} ms on this answer (catastrophic backtracking?)`
      : `task ${taskId}: the pattern failed: ${errorMessage(error)}`;
    throw new VerifierError('VERIFIER_FAILED', message, { cause: error });
  } finally {
    context['__input'] = undefined;
  }
}
