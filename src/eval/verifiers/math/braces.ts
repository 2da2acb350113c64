/**
 * Index of the `}` that closes the `{` at `open`, counting nested braces and skipping escaped
 * ones (`\{`, `\}`); -1 when the group never closes.
 */
export function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * Reads one LaTeX argument starting at `start` (spaces skipped): a braced group, a command
 * (`\pi`), or a single character, as in `\frac12` or `\sqrt2`. Returns the argument's text and
 * the index after it.
 */
export function readArgument(text: string, start: number): { value: string; end: number } | null {
  let i = start;
  while (text[i] === ' ') i++;
  if (i >= text.length) return null;
  if (text[i] === '{') {
    const close = matchingBrace(text, i);
    if (close === -1) return null;
    return { value: text.slice(i + 1, close), end: close + 1 };
  }
  if (text[i] === '\\') {
    const command = /^\\[a-zA-Z]+/.exec(text.slice(i));
    if (command !== null) return { value: command[0], end: i + command[0].length };
    return { value: text.slice(i, i + 2), end: i + 2 };
  }
  if (text[i] === '}') return null;
  return { value: text[i]!, end: i + 1 };
}
