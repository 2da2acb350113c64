import { basename, extname } from 'node:path';
import { isHtmlDocument } from './corpus.js';

/** A corpus document reduced to what the index needs: a title and plain text. */
export interface DocumentText {
  title: string;
  text: string;
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
};

/**
 * Title and text of a document, by type: HTML loses its markup (title from `<title>` or the
 * first `<h1>`), Markdown its syntax (title from the first heading), plain text keeps both;
 * the file name is the title when nothing better is there.
 */
export function extractDocumentText(relPath: string, raw: string): DocumentText {
  const fallbackTitle = basename(relPath, extname(relPath));
  if (isHtmlDocument(relPath)) {
    const title = htmlTitle(raw);
    return { title: title || fallbackTitle, text: htmlToText(raw) };
  }
  if (/\.(md|markdown)$/i.test(relPath)) {
    const heading = /^#{1,6}[ \t]+(.+?)[ \t#]*$/m.exec(raw);
    const title = heading?.[1]?.trim();
    // The heading that became the title is left out of the text, so snippets do not repeat it.
    const body = heading
      ? raw.slice(0, heading.index) + raw.slice(heading.index + heading[0].length)
      : raw;
    return { title: title || fallbackTitle, text: markdownToText(body) };
  }
  return { title: fallbackTitle, text: collapse(raw) };
}

function htmlTitle(html: string): string {
  const match =
    /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html) ?? /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html);
  return match?.[1] ? collapse(decodeEntities(match[1].replace(/<[^>]*>/g, ' '))) : '';
}

function htmlToText(html: string): string {
  const body = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|noscript|template|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(
      /<\/?(p|div|br|li|h[1-6]|tr|section|article|header|footer|table|ul|ol)\b[^>]*>/gi,
      '\n',
    )
    .replace(/<\/?(td|th)\b[^>]*>/gi, ' ')
    .replace(/<[^>]*>/g, '');
  return collapse(decodeEntities(body));
}

function markdownToText(markdown: string): string {
  const text = markdown
    .replace(/^---\n[\s\S]*?\n---\n/, '')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^[ \t]*(#{1,6}|>|[-*+]|\d+\.)[ \t]+/gm, '')
    .replace(/(\*\*|__|\*|_|`)/g, '');
  return collapse(text);
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X'
          ? Number.parseInt(name.slice(2), 16)
          : Number.parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff
        ? String.fromCodePoint(code)
        : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** Collapses runs of spaces and blank lines, keeping paragraph breaks. */
function collapse(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
