import { basename } from 'node:path';
import { UsageError } from '../core/errors.js';
import { readJsonl, sha256Accumulator } from './jsonl-file.js';
import { describeTaskIssues } from './suite-issues.js';
import { TASK_KEYS, type Task, taskSchema } from './task-schema.js';

/** A loaded suite: its tasks in file order and the sha256 of the file, for provenance. */
export interface Suite {
  path: string;
  sha256: string;
  tasks: Task[];
}

export interface LoadSuiteOptions {
  signal?: AbortSignal;
}

/** How many bad lines are listed before the rest are only counted. */
const MAX_LISTED_ERRORS = 20;

/**
 * Reads and validates a suite file (JSONL, one task a line). Every bad line is reported at
 * once, each as `<file>:<line>: <field>: <problem>`, and duplicate ids name both lines.
 */
export async function loadSuite(path: string, options: LoadSuiteOptions = {}): Promise<Suite> {
  const name = basename(path);
  const hash = sha256Accumulator();
  const tasks: Task[] = [];
  const firstLineOf = new Map<string, number>();
  const errors: string[] = [];
  for await (const entry of readJsonl(path, {
    onChunk: hash.onChunk,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })) {
    if ('error' in entry) {
      errors.push(`${name}:${entry.line}: ${entry.error}`);
      continue;
    }
    const parsed = parseTask(entry.value);
    if (!parsed.ok) {
      for (const problem of parsed.problems) errors.push(`${name}:${entry.line}: ${problem}`);
      continue;
    }
    const first = firstLineOf.get(parsed.task.id);
    if (first !== undefined) {
      errors.push(
        `${name}:${entry.line}: duplicate id "${parsed.task.id}" (first at line ${first})`,
      );
      continue;
    }
    firstLineOf.set(parsed.task.id, entry.line);
    tasks.push(parsed.task);
  }
  if (errors.length > 0) throw invalidSuite(path, errors);
  if (tasks.length === 0) throw new UsageError('SUITE_INVALID', `${name}: the suite has no tasks`);
  return { path, sha256: hash.digest(), tasks };
}

/** Validates one parsed JSON value as a task. */
export function parseTask(
  value: unknown,
): { ok: true; task: Task } | { ok: false; problems: string[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problems: ['expected a JSON object (one task per line)'] };
  }
  const parsed = taskSchema.safeParse(value);
  if (parsed.success) return { ok: true, task: parsed.data };
  return { ok: false, problems: describeTaskIssues(parsed.error.issues, TASK_KEYS) };
}

function invalidSuite(path: string, errors: string[]): UsageError {
  const listed = errors.slice(0, MAX_LISTED_ERRORS);
  const more = errors.length - listed.length;
  const tail = more > 0 ? `\n(and ${more} more)` : '';
  return new UsageError('SUITE_INVALID', `${listed.join('\n')}${tail}`, {
    details: { path, errors: errors.length },
  });
}
