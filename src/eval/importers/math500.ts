import type { Task } from '../task-schema.js';
import { lastBoxed } from '../verifiers/math/boxed.js';
import { type ImportOptions, withInstruction } from './instruction.js';
import { readSourceRows, rowError, type SourceRow, stringField } from './source-rows.js';

const ANSWER_TAIL = 'The answer is: ';

/**
 * Turns a MATH-500 file into tasks. Two layouts are read: the Hugging Face one
 * (`problem, solution, answer, subject, level, unique_id`; tags from subject and level) and the
 * PRM800K-style one in `tests/fixtures/datasets` (`question, answer` where the answer is the whole
 * solution ending in `The answer is: X`; the answer is X, or the last `\boxed{}` without it).
 */
export async function importMath500(path: string, options: ImportOptions = {}): Promise<Task[]> {
  const rows = await readSourceRows(path, options.signal);
  return rows.map((row) =>
    typeof row.value['problem'] === 'string'
      ? fromHub(path, row, options)
      : fromSolution(path, row, options),
  );
}

function fromHub(path: string, row: SourceRow, options: ImportOptions): Task {
  const problem = stringField(path, row, 'problem');
  const answer = stringField(path, row, 'answer');
  const tags = ['math500'];
  const subject = row.value['subject'];
  if (typeof subject === 'string' && subject.trim() !== '') tags.push(slug(subject));
  const level = row.value['level'];
  if (typeof level === 'number' || (typeof level === 'string' && level.trim() !== '')) {
    tags.push(
      `level-${String(level)
        .replace(/^level\s*/i, '')
        .trim()}`,
    );
  }
  const uniqueId = row.value['unique_id'];
  return {
    id: typeof uniqueId === 'string' ? idFromUniqueId(uniqueId, row.index) : `math500-${row.index}`,
    prompt: withInstruction(problem, options),
    answer: answer.trim(),
    verifier: 'math',
    tags,
  };
}

function fromSolution(path: string, row: SourceRow, options: ImportOptions): Task {
  const question = stringField(path, row, 'question');
  const solution = stringField(path, row, 'answer');
  const tail = solution.lastIndexOf(ANSWER_TAIL);
  const answer =
    tail === -1 ? lastBoxed(solution) : solution.slice(tail + ANSWER_TAIL.length).trim();
  if (answer === null || answer === '') {
    throw rowError(path, row.line, '"answer": no "The answer is: X" and no \\boxed{} answer');
  }
  return {
    id: `math500-${row.index}`,
    prompt: withInstruction(question, options),
    answer,
    verifier: 'math',
    tags: ['math500'],
  };
}

/** `test/precalculus/807.json` → `math500-precalculus-807`. */
function idFromUniqueId(uniqueId: string, index: number): string {
  const parts = uniqueId
    .replace(/\.json$/, '')
    .split('/')
    .filter((p) => p !== '' && p !== 'test');
  return parts.length === 0 ? `math500-${index}` : `math500-${parts.map(slug).join('-')}`;
}

function slug(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
