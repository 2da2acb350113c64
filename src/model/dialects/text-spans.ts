import type { Span } from './types.js';

const FABRICATED_RESULT = '<tool_response';

/**
 * The visible text left once the call markup is cut out: the remaining pieces, trimmed and
 * joined by newlines. With `dropFabricated`, a `<tool_response>` the model wrote after its
 * calls, inventing the result, is cut too, with everything after it.
 */
export function removeSpans(text: string, spans: readonly Span[], dropFabricated: boolean): string {
  if (spans.length === 0) return text;
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  if (dropFabricated) {
    const fabricated = text.indexOf(FABRICATED_RESULT, sorted.at(-1)!.end);
    if (fabricated !== -1) sorted.push({ start: fabricated, end: text.length });
  }
  const pieces: string[] = [];
  let position = 0;
  for (const span of sorted) {
    if (span.start > position) pieces.push(text.slice(position, span.start));
    position = Math.max(position, span.end);
  }
  pieces.push(text.slice(position));
  return pieces
    .map((piece) => piece.trim())
    .filter((piece) => piece !== '')
    .join('\n');
}
