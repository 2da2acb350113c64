import { parseUrlFacts } from './url-facts.js';

const URL_PATTERN = /\b(?:https?|corpus):\/\/[^\s<>"'`{}|\\^[\]]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?*_~]+$/;

/**
 * The http(s) URLs written in a text, and the `corpus://` URLs of the local search back end,
 * normalized like `parseUrlFacts` does so they compare equal to a later call's `url`
 * argument. Trailing sentence punctuation and an unbalanced closing parenthesis (a Markdown
 * link) are not part of the URL.
 */
export function extractUrls(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(URL_PATTERN)) {
    let candidate = match[0].replace(TRAILING_PUNCTUATION, '');
    while (candidate.endsWith(')') && count(candidate, '(') < count(candidate, ')')) {
      candidate = candidate.slice(0, -1).replace(TRAILING_PUNCTUATION, '');
    }
    const facts = parseUrlFacts(candidate);
    if (facts) found.push(facts.href);
  }
  return found;
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n++;
  return n;
}
