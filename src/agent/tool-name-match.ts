/**
 * Finds the offered tool a model meant when the name it wrote is not exact. Tolerated: case,
 * `_`/`-`/space/dot differences, a `functions.` style prefix, a trailing `()`, and up to two
 * typing mistakes, but only when exactly one tool is that close.
 */

/** Edits (insert, delete, substitute, swap neighbours) tolerated in a tool name. */
const MAX_EDITS = 2;
/** Names shorter than this are too short for edits to point at one tool with any confidence. */
const MIN_LENGTH_FOR_EDITS = 5;

const PREFIX = /^(?:functions?|tools?)[.:/]/i;

/**
 * The offered name the written one stands for, or null when none does. `names` must be the
 * tools' own property names; a name that merely exists on Object.prototype never matches.
 */
export function matchToolName(written: string, names: readonly string[]): string | null {
  const cleaned = written
    .trim()
    .replace(/^["'`]+|["'`]+$/g, '')
    .replace(PREFIX, '')
    .replace(/\(\s*\)$/, '');
  if (names.includes(cleaned)) return cleaned;
  const key = canonical(cleaned);
  if (key === '') return null;

  const same = names.filter((name) => canonical(name) === key);
  if (same.length === 1) return same[0] as string;
  if (same.length > 1 || key.length < MIN_LENGTH_FOR_EDITS) return null;

  let best: string | null = null;
  let bestDistance = MAX_EDITS + 1;
  let tied = false;
  for (const name of names) {
    const distance = editDistance(key, canonical(name), MAX_EDITS);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
      tied = false;
    } else if (distance === bestDistance) {
      tied = true;
    }
  }
  return best !== null && !tied && bestDistance <= MAX_EDITS ? best : null;
}

function canonical(name: string): string {
  return name.toLowerCase().replace(/[\s_.-]+/g, '');
}

/**
 * Optimal string alignment distance (Levenshtein plus swapped neighbours), giving up with
 * `limit + 1` as soon as every alignment exceeds the limit.
 */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const previous = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (previous[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (i > 0 && rowMin > limit) return limit + 1;
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}
