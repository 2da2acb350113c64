const BOX_COMMAND = /\\(?:boxed|fbox)\s*/g;
/** What may stand between two boxes that together give one answer: `\boxed{-2} and \boxed{1}`. */
const BOX_JOINER =
  /^(?:\s|\$|,|\\quad|\\qquad|\\text\{\s*(?:and|,)\s*\}|\\[,;!]|and|\\\)|\\\(|\\\]|\\\[)*$/;

/**
 * The content of the last `\boxed{…}` (or `\fbox{…}`) in the text, nested braces included;
 * `\boxed 5` (a box without braces) gives `5`. Null when there is no complete box. Brace pairs
 * are found in one pass, so unclosed boxes cannot make this quadratic.
 */
export function lastBoxed(text: string): string | null {
  return boxedAnswers(text, false)?.value ?? null;
}

/**
 * The last box, joined with the boxes just before it when only "and", commas or spacing sit
 * between them (`\boxed{1}\boxed{2}` is the answer `1, 2`); `at` is where the first joined box
 * starts.
 */
export function boxedAnswers(text: string, join = true): { value: string; at: number } | null {
  let closing: Map<number, number> | null = null;
  const boxes: { value: string; start: number; end: number }[] = [];
  for (const match of text.matchAll(BOX_COMMAND)) {
    const start = match.index + match[0].length;
    if (text[start] === '{') {
      closing ??= bracePairs(text);
      const close = closing.get(start);
      if (close !== undefined)
        boxes.push({ value: text.slice(start + 1, close), start: match.index, end: close + 1 });
    } else {
      const bare = /^[^\s$.,;{}\\]+/.exec(text.slice(start, start + 100));
      if (bare !== null)
        boxes.push({ value: bare[0], start: match.index, end: start + bare[0].length });
    }
  }
  const last = boxes.at(-1);
  if (last === undefined) return null;
  if (!join) return { value: last.value, at: last.start };
  const values = [last.value.trim()];
  let at = last.start;
  for (let i = boxes.length - 2; i >= 0 && values.length < 20; i--) {
    const box = boxes[i]!;
    if (box.end > at || !BOX_JOINER.test(text.slice(box.end, at))) break;
    values.unshift(box.value.trim());
    at = box.start;
  }
  return { value: values.join(', '), at };
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
