import { z } from 'zod';
import { errorMessage } from '../core/errors.js';
import type { ChatMessage } from '../core/messages.js';

/**
 * One task of a suite (docs/suites.md): a JSONL line. The object is strict so a typo
 * (`"anwser"`) is an error instead of a task silently scored against nothing; free-form data
 * goes in `metadata`.
 */
export const VERIFIER_NAMES = [
  'math',
  'exact',
  'regex',
  'choice',
  'code_tests',
  'js',
  'tests',
] as const;
export type VerifierName = (typeof VERIFIER_NAMES)[number];

/** The letters a `choice` task may use, as in MMLU-Pro (ten options). */
export const CHOICE_LETTERS = 'ABCDEFGHIJ';

/** Which verifier each verifier-specific field belongs to. */
const FIELD_OWNERS: Record<string, readonly VerifierName[]> = {
  tolerance: ['math'],
  pattern: ['regex'],
  flags: ['regex'],
  match: ['regex'],
  choices: ['choice'],
  tests: ['code_tests', 'tests'],
  visible_tests: ['code_tests'],
  workspace: ['tests'],
  function: ['js'],
  timeout_ms: ['code_tests', 'js'],
};

/** The field each verifier cannot work without. */
const REQUIRED_FIELD: Record<VerifierName, string> = {
  math: 'answer',
  exact: 'answer',
  choice: 'answer',
  regex: 'pattern',
  code_tests: 'tests',
  js: 'function',
  tests: 'workspace',
};

/** A repository task's hidden tests (verifier `tests`): never shown to the agent. */
export const workspaceTestsSchema = z.strictObject({
  command: z.string().min(1, 'must not be empty').max(10_000),
  files: z.record(z.string().min(1), z.string()).optional(),
  dir: z.string().min(1).optional(),
  fail_to_pass: z.array(z.string().min(1)).optional(),
  pass_to_pass: z.array(z.string().min(1)).optional(),
  timeout_s: z.number().positive().max(3600).optional(),
  /** SWE-bench's `test_patch`: applied after the agent's diff, before the command. */
  patch: z.string().min(1).optional(),
});
export type WorkspaceTests = z.infer<typeof workspaceTestsSchema>;

const suiteMessageSchema = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

// A JSON number loses digits past 2^53, so such an answer must be written as a string.
const answerSchema = z
  .union([z.string(), z.number()], { error: 'expected string' })
  .superRefine((value, ctx) => {
    if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
      ctx.addIssue({
        code: 'custom',
        message: 'integer too large for a JSON number (digits are lost); write it as a string',
      });
    }
  })
  .transform((value) => (typeof value === 'number' ? String(value) : value));

const idSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'at most 200 characters')
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

const flagsSchema = z
  .string()
  .regex(/^[imsu]*$/, 'only the flags i, m, s and u are allowed')
  .refine((flags) => new Set(flags).size === flags.length, 'a flag is repeated');

const taskObject = z.strictObject({
  id: idSchema,
  prompt: z.string().min(1, 'must not be empty').optional(),
  messages: z.array(suiteMessageSchema).min(1, 'must not be empty').optional(),
  answer: answerSchema.optional(),
  verifier: z.enum(VERIFIER_NAMES).default('math'),
  tags: z.array(z.string().min(1, 'must not be empty').max(100)).default([]),
  tolerance: z.number().nonnegative().max(1).optional(),
  pattern: z.string().min(1).max(2000).optional(),
  flags: flagsSchema.optional(),
  match: z.enum(['search', 'full']).optional(),
  choices: z.array(z.string()).min(2).max(CHOICE_LETTERS.length).optional(),
  tests: z.union([z.string().min(1, 'must not be empty'), workspaceTestsSchema]).optional(),
  /**
   * Tests the model may see the output of (`refine:R:tests` feeds it back); `tests` stay
   * hidden. Python, like `tests`, for verifier `code_tests`.
   */
  visible_tests: z.string().min(1, 'must not be empty').max(100_000).optional(),
  workspace: z.string().min(1, 'must not be empty').max(4096).optional(),
  function: z.string().min(1, 'must not be empty').max(100_000).optional(),
  timeout_ms: z.number().int().min(1).max(600_000).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export const taskSchema = taskObject.superRefine((task, ctx) => {
  if (task.prompt === undefined && task.messages === undefined) {
    ctx.addIssue({ code: 'custom', path: [], message: 'needs "prompt" or "messages"' });
  }
  if (task.prompt !== undefined && task.messages !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: [],
      message: 'has both "prompt" and "messages"; give one',
    });
  }
  if (task.messages !== undefined && task.messages.at(-1)?.role !== 'user') {
    ctx.addIssue({
      code: 'custom',
      path: ['messages'],
      message: 'the last message must be a user message',
    });
  }
  for (const [field, owners] of Object.entries(FIELD_OWNERS)) {
    if ((task as Record<string, unknown>)[field] !== undefined && !owners.includes(task.verifier)) {
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: `only applies to verifier ${owners.map((o) => `"${o}"`).join(' or ')}, not "${task.verifier}"`,
      });
    }
  }
  const required = REQUIRED_FIELD[task.verifier];
  if ((task as Record<string, unknown>)[required] === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: [required],
      message: `required by verifier "${task.verifier}"`,
    });
  }
  if (task.verifier === 'choice' && task.answer !== undefined) checkChoiceAnswer(task, ctx);
  if (
    task.tests !== undefined &&
    (typeof task.tests === 'string') !== (task.verifier === 'code_tests')
  )
    ctx.addIssue({
      code: 'custom',
      path: ['tests'],
      message:
        task.verifier === 'code_tests'
          ? 'must be a string of test code for verifier "code_tests"'
          : 'must be an object {command, files?, dir?, fail_to_pass?, pass_to_pass?} for verifier "tests"',
    });
  if (task.verifier === 'tests' && task.tests === undefined)
    ctx.addIssue({ code: 'custom', path: ['tests'], message: 'required by verifier "tests"' });
  if (task.pattern !== undefined) checkPattern(task.pattern, task.flags ?? '', ctx);
});

export type Task = z.output<typeof taskSchema>;

/** Every key a task line may have. */
export const TASK_KEYS: readonly string[] = Object.keys(taskObject.shape);

/** The conversation a task starts with: its messages, or its prompt as one user message. */
export function taskMessages(task: Task): ChatMessage[] {
  if (task.messages !== undefined) return task.messages.map((m) => ({ ...m }));
  return [{ role: 'user', content: task.prompt ?? '' }];
}

function checkChoiceAnswer(task: Task, ctx: z.RefinementCtx): void {
  const letter = (task.answer ?? '').trim().toUpperCase();
  const index = CHOICE_LETTERS.indexOf(letter);
  if (letter.length !== 1 || index === -1) {
    ctx.addIssue({ code: 'custom', path: ['answer'], message: 'must be one letter from A to J' });
  } else if (task.choices !== undefined && index >= task.choices.length) {
    ctx.addIssue({
      code: 'custom',
      path: ['answer'],
      message: `letter ${letter} is past the ${task.choices.length} choices`,
    });
  }
}

function checkPattern(pattern: string, flags: string, ctx: z.RefinementCtx): void {
  try {
    new RegExp(pattern, flags);
  } catch (error) {
    const message = errorMessage(error);
    ctx.addIssue({
      code: 'custom',
      path: ['pattern'],
      message: `not a valid regular expression: ${message}`,
    });
  }
}
