/**
 * `assay/verifiers`: the built-in verifiers as a function, for reward functions and proxies
 * outside an eval run. The same code scores `assay eval`, so a reward computed here agrees with
 * the reports.
 */
import { AssayError, errorMessage, UsageError } from './core/errors.js';
import { type Task, taskSchema, VERIFIER_NAMES, type VerifierName } from './eval/task-schema.js';
import { getVerifier } from './eval/verifiers/registry.js';
import type { CodeRunner, VerifierResult } from './eval/verifiers/types.js';

export type { CodeRunner, CodeRunResult } from './eval/verifiers/types.js';
export { VERIFIER_NAMES, type VerifierName };

/** Verifier-specific settings, named as in a suite's task lines. */
export interface VerifyOptions {
  /** `math`: relative tolerance for numbers that are not both integers (default 1e-6). */
  tolerance?: number;
  /** `regex`: the pattern, its flags (`imsu`) and whether it must match the whole answer. */
  pattern?: string;
  flags?: string;
  match?: 'search' | 'full';
  /** `choice`: the option texts, in letter order. */
  choices?: string[];
  /** `code_tests`: python tests run against the response's code by `codeRunner`. */
  tests?: string;
  codeRunner?: CodeRunner;
  /** `js`: a scoring function `(answer, task) => boolean | null | { correct, details }`. */
  function?: string;
  /** `code_tests` and `js`: time limit of one check. */
  timeout_ms?: number;
  signal?: AbortSignal;
}

export interface VerifyInput {
  verifier: VerifierName;
  /** The model's final answer; null or empty is scored as no answer. */
  response: string | null;
  /** The reference answer: required by `math`, `exact` and `choice`. */
  answer?: string | number;
  options?: VerifyOptions;
}

export interface VerifyOutput {
  /** True or false when the verifier decided; null when it could not score (see `error`). */
  correct: boolean | null;
  /** 1, 0, or null when not scored: never a silent zero for a verifier failure. */
  reward: 1 | 0 | null;
  /** What the verifier read out of the response. */
  extracted: string | null;
  /** What was extracted from each side and why it matched or not. */
  explanation: string;
  /** The verifier's own record of how it decided. */
  details: Record<string, unknown>;
  /** Set when the verifier could not run (a timeout, a bad function, no code runner). */
  error?: { code: string; message: string };
}

/**
 * Scores one response with a built-in verifier. Bad input (an unknown verifier, a missing
 * answer, an invalid pattern) throws `UsageError` naming the field; a verifier that cannot
 * finish (a math check past its time budget, a crashing `js` function) gives `correct: null`
 * with `error` set.
 */
export async function verify(input: VerifyInput): Promise<VerifyOutput> {
  const task = toTask(input);
  const verifier = getVerifier(task.verifier);
  const { codeRunner, signal } = input.options ?? {};
  try {
    const result = await verifier.verify(task, input.response, {
      ...(codeRunner === undefined ? {} : { codeRunner }),
      ...(signal === undefined ? {} : { signal }),
    });
    return {
      correct: result.correct,
      reward: result.correct === null ? null : result.correct ? 1 : 0,
      extracted: result.extracted,
      explanation: result.explanation ?? explain(result),
      details: result.details,
    };
  } catch (error) {
    if (error instanceof AssayError && (error.code === 'ABORTED' || error.errorClass === 'infra'))
      throw error;
    const message = errorMessage(error);
    const code = error instanceof AssayError ? error.code : 'VERIFIER_FAILED';
    return {
      correct: null,
      reward: null,
      extracted: null,
      explanation: `not scored: ${message}`,
      details: { error: message },
      error: { code, message },
    };
  }
}

function toTask(input: VerifyInput): Task {
  if (typeof input !== 'object' || input === null)
    throw new UsageError('INPUT_INVALID', 'verify() needs { verifier, response, answer? }');
  if (!VERIFIER_NAMES.includes(input.verifier)) {
    throw new UsageError(
      'INPUT_INVALID',
      `verify(): unknown verifier "${String(input.verifier)}"; the verifiers are ${VERIFIER_NAMES.join(', ')}`,
    );
  }
  if (input.response !== null && typeof input.response !== 'string')
    throw new UsageError('INPUT_INVALID', 'verify(): "response" must be a string or null');
  const { codeRunner: _runner, signal: _signal, ...fields } = input.options ?? {};
  const parsed = taskSchema.safeParse({
    id: 'verify',
    prompt: 'verify',
    verifier: input.verifier,
    ...(input.answer === undefined ? {} : { answer: input.answer }),
    ...fields,
  });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => {
      const path = issue.path.join('.');
      const where = path === '' ? '' : path === 'answer' ? '"answer": ' : `options."${path}": `;
      return `${where}${issue.message}`;
    });
    throw new UsageError('INPUT_INVALID', `verify(): ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** A sentence from a verifier's details, for verifiers that do not write their own. */
function explain(result: VerifierResult): string {
  const verdict =
    result.correct === null ? 'not scored' : result.correct ? 'correct' : 'not correct';
  const parts = [verdict];
  if (result.extracted !== null) parts.push(`answer ${JSON.stringify(result.extracted)}`);
  if (result.expected !== null) parts.push(`reference ${JSON.stringify(result.expected)}`);
  const { reason, method, pattern, flags } = result.details;
  if (typeof pattern === 'string')
    parts.push(`pattern /${pattern}/${typeof flags === 'string' ? flags : ''}`);
  if (typeof method === 'string') parts.push(`read as ${method}`);
  if (typeof reason === 'string') parts.push(reason);
  return parts.join('; ');
}
