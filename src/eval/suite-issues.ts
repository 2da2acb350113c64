import type { z } from 'zod';

/**
 * Turns zod issues of a suite line into messages that name the field the way it is written in
 * the file: `"answer": expected string, received number`, `unknown key "anwser" (did you mean
 * "answer"?)`.
 */
export function describeTaskIssues(
  issues: readonly z.core.$ZodIssue[],
  knownKeys: readonly string[],
): string[] {
  return issues.map((issue) => {
    if (issue.code === 'unrecognized_keys')
      return describeUnknownKeys(issue.keys, issue.path, knownKeys);
    const message = issue.message.replace(/^Invalid input: /, '');
    return issue.path.length === 0 ? message : `${fieldName(issue.path)}: ${message}`;
  });
}

function describeUnknownKeys(
  keys: readonly string[],
  path: readonly PropertyKey[],
  knownKeys: readonly string[],
): string {
  const where = path.length === 0 ? '' : ` in ${fieldName(path)}`;
  return keys
    .map((key) => {
      const guess = path.length === 0 ? closest(key, knownKeys) : undefined;
      const hint = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
      return `unknown key "${key}"${where}${hint}`;
    })
    .join('; ');
}

/** `"messages[2].role"` for the path `messages, 2, role`. */
function fieldName(path: readonly PropertyKey[]): string {
  let name = '';
  for (const part of path) {
    if (typeof part === 'number') name += `[${part}]`;
    else name += name === '' ? String(part) : `.${String(part)}`;
  }
  return `"${name}"`;
}

/** The known key within edit distance 2 of `key`, for typos. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
