import type { SearchResult } from './types.js';

/**
 * The text the model reads: a numbered list of title, URL and snippet. Results that do not
 * fit in `maxBytes` are left out, and the list says so.
 */
export function formatResults(
  query: string,
  results: readonly SearchResult[],
  maxBytes: number,
): string {
  if (results.length === 0) {
    return `No results for "${query}". Try other words, or fewer of them.`;
  }
  const header = `Results for "${query}":\n`;
  let text = header;
  let shown = 0;
  for (const [index, result] of results.entries()) {
    const entry = `\n${index + 1}. ${result.title}\n   ${result.url}\n${result.snippet ? `   ${result.snippet}\n` : ''}`;
    const note = `\n(${results.length - index} more results left out to fit the output limit.)`;
    if (shown > 0 && Buffer.byteLength(text + entry + note) > maxBytes) return text + note;
    text += entry;
    shown++;
  }
  return Buffer.byteLength(text) > maxBytes ? truncateBytes(text, maxBytes) : text;
}

function truncateBytes(text: string, maxBytes: number): string {
  const buffer = Buffer.from(text);
  // Decoding a cut buffer drops a split character as U+FFFD; trimming it keeps the text clean.
  return buffer
    .subarray(0, Math.max(0, maxBytes - 3))
    .toString('utf8')
    .replace(/\uFFFD$/, '')
    .concat('…');
}
