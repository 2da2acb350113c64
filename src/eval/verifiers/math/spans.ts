/** A stretch of LaTeX math in a text: `$…$`, `$$…$$`, `\(…\)`, `\[…\]` or a bare matrix. */
export interface MathSpan {
  start: number;
  end: number;
  content: string;
}

const MATRIX_BEGIN = /^\\begin\{([pbvBV]?matrix|array)\}/;

/**
 * Every math span, in order. Inline math (`$…$`, `\(…\)`) stays on one line; display math may
 * span lines; `\$` is an escaped dollar. A `$…$` whose content reads as prose (a word of three
 * letters or more among other tokens) is a pair of currency signs, not math. One pass with
 * memoised closer searches, so unclosed delimiters cannot make this quadratic.
 */
export function mathSpans(text: string): MathSpan[] {
  return scan(text).spans;
}

/**
 * Stretches between `$` signs (or `\\(` `\\)`) that break across lines: malformed math whose
 * numbers are not answers either.
 */
export function brokenSpans(text: string): { start: number; end: number }[] {
  return scan(text).broken;
}

function scan(text: string): { spans: MathSpan[]; broken: { start: number; end: number }[] } {
  const spans: MathSpan[] = [];
  const broken: { start: number; end: number }[] = [];
  const closers = new Map<string, number>();
  /** First index of `token` at or after `from`, remembered so repeated openers reuse it. */
  const find = (token: string, from: number): number => {
    const known = closers.get(token);
    if (known !== undefined && (known === -1 || known >= from)) return known;
    const found = text.indexOf(token, from);
    closers.set(token, found);
    return found;
  };
  const push = (start: number, end: number, raw: string) => {
    const content = trimPunctuation(raw.trim());
    if (content !== '') spans.push({ start, end, content });
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === '(' || next === '[') {
        const end = find(next === '(' ? '\\)' : '\\]', i + 2);
        const content = end === -1 ? '' : text.slice(i + 2, end);
        if (end === -1 || (next === '(' && content.includes('\n'))) {
          if (end !== -1 && content.length < 200 && !isProse(content))
            broken.push({ start: i, end: end + 2 });
          i += 2;
          continue;
        }
        push(i, end + 2, content);
        i = end + 2;
        continue;
      }
      const matrix = next === 'b' ? MATRIX_BEGIN.exec(text.slice(i, i + 30)) : null;
      if (matrix !== null) {
        const endToken = `\\end{${matrix[1]}}`;
        const end = find(endToken, i + matrix[0].length);
        if (end !== -1) {
          push(i, end + endToken.length, text.slice(i, end + endToken.length));
          i = end + endToken.length;
          continue;
        }
      }
      i += 2;
      continue;
    }
    if (ch === '$') {
      if (text[i + 1] === '$') {
        const end = find('$$', i + 2);
        if (end === -1) {
          i += 2;
          continue;
        }
        push(i, end + 2, text.slice(i + 2, end));
        i = end + 2;
        continue;
      }
      let j = i + 1;
      while (j < text.length && text[j] !== '$' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length || text[j] !== '$') {
        const close = j < text.length ? find('$', j) : -1;
        if (close !== -1 && close - i < 200 && !isProse(text.slice(i + 1, close)))
          broken.push({ start: i, end: close + 1 });
        i = j;
        continue;
      }
      const content = text.slice(i + 1, j);
      if (isProse(content)) {
        // The closing `$` may open the next span.
        i = j;
        continue;
      }
      push(i, j + 1, content);
      i = j + 1;
      continue;
    }
    i++;
  }
  return { spans, broken };
}

/** The last span with something in it, or null. */
export function lastMathSpan(text: string): MathSpan | null {
  const spans = mathSpans(text);
  for (let i = spans.length - 1; i >= 0; i--) if (spans[i]!.content !== '') return spans[i]!;
  return null;
}

function isProse(content: string): boolean {
  const bare = content
    .replace(/\\(?:begin|end)\{[^{}]*\}/g, ' ')
    .replace(/\\(?:text|textbf|textit|mbox|mathrm|operatorname)\s*\{[^{}]*\}/g, ' ')
    .replace(/\\[a-zA-Z]+/g, ' ');
  // A single word (`$Even$`) is a text answer; a word among other tokens is a sentence.
  if (/^\s*[a-zA-Z]+\s*$/.test(bare)) return false;
  return /[a-zA-Z]{3,}/.test(bare) || /\b(?:a|an|I)\s+[a-z]{2,}/.test(bare);
}

/** Sentence punctuation written inside the delimiters (`$\frac13.$`) is not part of it. */
function trimPunctuation(content: string): string {
  return content
    .replace(/(?:\s*[.,;:](?!\.)|\\[,;!])+\s*$/, '')
    .replace(/\\\\\s*$/, '')
    .trim();
}
