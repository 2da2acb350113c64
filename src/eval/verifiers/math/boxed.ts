const BOX_COMMAND = /\\(?:boxed|fbox)\s*/g;

/**
 * The content of the last `\boxed{…}` (or `\fbox{…}`) in the text, nested braces included;
 * `\boxed 5` (a box without braces) gives `5`. Null when there is no complete box. Brace pairs
 * are found in one pass, so unclosed boxes cannot make this quadratic.
 */
export function lastBoxed(text: string): string | null {
  let closing: Map<number, number> | null = null;
  let found: string | null = null;
  for (const match of text.matchAll(BOX_COMMAND)) {
    const start = match.index + match[0].length;
    if (text[start] === '{') {
      closing ??= bracePairs(text);
      const close = closing.get(start);
      if (close !== undefined) found = text.slice(start + 1, close);
    } else {
      const bare = /^[^\s$.,;{}\\]+/.exec(text.slice(start, start + 100));
      if (bare !== null) found = bare[0];
    }
  }
  return found;
}

/** Maps each `{` to its `}`; escaped braces (`\{`) are skipped. */
function bracePairs(text: string): Map<number, number> {
  const pairs = new Map<number, number>();
  const stack: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === '{') stack.push(i);
    else if (ch === '}') {
      const open = stack.pop();
      if (open !== undefined) pairs.set(open, i);
    }
  }
  return pairs;
}
