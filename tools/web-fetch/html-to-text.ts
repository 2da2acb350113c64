import type { MarkdownPage } from './html-to-markdown.js';

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};
const SKIPPED = new Set(['script', 'style', 'noscript', 'template']);
const BREAKS = new Set(['p', 'div', 'br', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre']);
const SLASH = 0x2f;

/**
 * The text of an HTML page by one forward scan, for pages too costly to convert to Markdown:
 * time is linear in the length whatever the markup (no regex that can backtrack over it).
 */
export function htmlToText(html: string): MarkdownPage {
  const parts: string[] = [];
  let title = '';
  let i = 0;
  while (i < html.length) {
    const open = html.indexOf('<', i);
    if (open === -1) {
      parts.push(html.slice(i));
      break;
    }
    if (open > i) parts.push(html.slice(i, open));
    const close = html.indexOf('>', open + 1);
    if (close === -1) break;
    const closing = html.charCodeAt(open + 1) === SLASH;
    const name = tagName(html, closing ? open + 2 : open + 1, close);
    i = close + 1;
    if (!closing && (SKIPPED.has(name) || name === 'title')) {
      const end = html.toLowerCase().indexOf(`</${name}`, i);
      const stop = end === -1 ? html.length : end;
      if (name === 'title' && title === '') title = decode(html.slice(i, stop)).trim();
      i = stop;
    } else if (BREAKS.has(name)) {
      parts.push('\n');
    }
  }
  const lines = decode(parts.join('')).split('\n');
  const kept: string[] = [];
  for (const line of lines) {
    const trimmed = line.replace(/[ \t\r\f\v]+/g, ' ').trim();
    if (trimmed !== '') kept.push(trimmed);
  }
  return { title, markdown: kept.join('\n') };
}

/** The lower-cased name of a tag, read up to its first character that cannot be in one. */
function tagName(html: string, from: number, to: number): string {
  let end = from;
  while (end < to && end - from < 16) {
    const code = html.charCodeAt(end) | 0x20;
    const letter = code >= 0x61 && code <= 0x7a;
    const digit = html.charCodeAt(end) >= 0x30 && html.charCodeAt(end) <= 0x39;
    if (!letter && !digit) break;
    end++;
  }
  return html.slice(from, end).toLowerCase();
}

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code =
        body[1] === 'x' || body[1] === 'X'
          ? Number.parseInt(body.slice(2), 16)
          : Number(body.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}
