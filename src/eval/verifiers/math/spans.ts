/** A stretch of LaTeX math in a text: `$…$`, `$$…$$`, `\(…\)`, `\[…\]` or a bare matrix. */
export interface MathSpan {
  start: number;
  end: number;
  content: string;
}

// Inline math stays on one line; display math may span lines. `\$` is an escaped dollar.
const SPAN =
  /\$\$((?:\\.|[^$\\])+?)\$\$|\$((?:\\.|[^$\\\n])+?)\$|\\\(((?:(?!\\\)).)+?)\\\)|\\\[([\s\S]+?)\\\]|\\begin\{([pbvBV]?matrix|array)\}[\s\S]*?\\end\{\5\}/g;

/**
 * Every math span, in order. A `$…$` whose content reads as prose (a word of three letters or
 * more outside commands and `\text{}`) is a pair of currency signs, not math.
 */
export function mathSpans(text: string): MathSpan[] {
  const spans: MathSpan[] = [];
  SPAN.lastIndex = 0;
  for (let m = SPAN.exec(text); m !== null; m = SPAN.exec(text)) {
    const content = (m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[0]).trim();
    if (content === '') continue;
    if (m[2] !== undefined && isProse(content)) {
      // The closing `$` may open the next span: step back onto it.
      SPAN.lastIndex = m.index + m[0].length - 1;
      continue;
    }
    spans.push({ start: m.index, end: m.index + m[0].length, content: trimPunctuation(content) });
  }
  return spans;
}

/**
 * Stretches between `$` signs (or `\(` `\)`) that break across lines: malformed math whose
 * numbers are not answers either.
 */
export function brokenSpans(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const m of text.matchAll(/\$([^$]*\n[^$]*)\$|\\\(([\s\S]*?\n[\s\S]*?)\\\)/g)) {
    const content = m[1] ?? m[2] ?? '';
    if (content.length < 200 && !isProse(content))
      out.push({ start: m.index, end: m.index + m[0].length });
  }
  return out;
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
