const WIDTH = 240;
const LEAD = 60;
const MAX_POSITIONS = 64;

/**
 * The passage of `text` that holds the most distinct matched terms within a window of about
 * 240 characters, cut at word boundaries; the start of the text when nothing matches.
 */
export function makeSnippet(text: string, terms: readonly string[], width = WIDTH): string {
  if (text.length <= width) return oneLine(text);
  const lower = text.toLowerCase();
  const positions: { at: number; term: number }[] = [];
  terms.forEach((term, index) => {
    if (!term) return;
    let from = 0;
    for (let n = 0; n < MAX_POSITIONS; n++) {
      const at = lower.indexOf(term, from);
      if (at < 0) break;
      positions.push({ at, term: index });
      from = at + term.length;
    }
  });
  let start = 0;
  if (positions.length > 0) {
    positions.sort((a, b) => a.at - b.at);
    let best = -1;
    for (let i = 0; i < positions.length; i++) {
      const windowStart = positions[i]!.at;
      const seen = new Set<number>();
      for (let j = i; j < positions.length && positions[j]!.at < windowStart + width - LEAD; j++) {
        seen.add(positions[j]!.term);
      }
      if (seen.size > best) {
        best = seen.size;
        start = Math.max(0, windowStart - LEAD);
      }
    }
  }
  if (start > 0) {
    const space = text.indexOf(' ', start);
    if (space >= 0 && space - start < 20) start = space + 1;
  }
  let end = Math.min(text.length, start + width);
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > start + width / 2) end = space;
  }
  return `${start > 0 ? '…' : ''}${oneLine(text.slice(start, end))}${end < text.length ? '…' : ''}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
