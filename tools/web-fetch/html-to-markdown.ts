import { createRequire } from 'node:module';
import type { Readability } from '@mozilla/readability';
import type { parseHTML } from 'linkedom';
import type TurndownService from 'turndown';

/**
 * The HTML libraries are required on the first page converted, not when the tool is created:
 * a run that never fetches HTML does not pay for loading them.
 */
const requireLazily = createRequire(import.meta.url);
const readability = () =>
  (requireLazily('@mozilla/readability') as typeof import('@mozilla/readability')).Readability;
const linkedom = () => (requireLazily('linkedom') as typeof import('linkedom')).parseHTML;

export interface MarkdownPage {
  title: string;
  markdown: string;
}

/** Readability's article counts only when it keeps this much of the page's text. */
const MIN_ARTICLE_CHARS = 250;
const MIN_ARTICLE_SHARE = 0.5;
/**
 * Elements deeper than this keep only their text. Readability and Turndown take time that
 * grows with the square of nesting depth (40,000 nested divs: about a minute); real pages
 * stay far below it.
 */
export const MAX_HTML_DEPTH = 64;

let turndown: TurndownService | undefined;

function converter(): TurndownService {
  if (!turndown) {
    const Turndown = requireLazily('turndown') as typeof TurndownService;
    turndown = new Turndown({
      headingStyle: 'atx',
      codeBlockStyle: 'fenced',
      bulletListMarker: '-',
      emDelimiter: '*',
    });
    turndown.remove(['script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed']);
  }
  return turndown;
}

/**
 * Readable Markdown of an HTML page: Readability's article when it found one, the whole body
 * otherwise (short pages, tables, indexes). Links and images become absolute against the
 * page's URL or its `<base href>`.
 */
export function htmlToMarkdown(html: string, url: string): MarkdownPage {
  const { document } = parseDocument(html, url);
  const title = document.querySelector('title')?.textContent?.trim() ?? '';
  const bodyText = (document.body?.textContent ?? '').replace(/\s+/g, ' ').trim();
  let article: ReturnType<Readability<ParsedElement>['parse']> = null;
  try {
    // The identity serializer hands back the article element itself, so Turndown walks the
    // parsed tree instead of serializing it and parsing the HTML again (a third of the time).
    const serializer = (node: unknown) => node as ParsedElement;
    const Readability = readability();
    article = new Readability<ParsedElement>(document, { serializer }).parse();
  } catch {
    article = null;
  }
  const articleText = (article?.textContent ?? '').replace(/\s+/g, ' ').trim();
  const useArticle =
    articleText.length > 0 &&
    (articleText.length >= MIN_ARTICLE_CHARS ||
      articleText.length >= bodyText.length * MIN_ARTICLE_SHARE);
  if (useArticle && article?.content) {
    const heading = article.title ? `# ${article.title}\n\n` : '';
    const markdown = converter().turndown(article.content);
    return { title: article.title || title, markdown: tidy(heading + markdown) };
  }
  // Readability changed the first document, so the fallback parses the page again.
  const fresh = parseDocument(html, url).document;
  absolutize(fresh, url);
  const body = fresh.body ?? fresh.documentElement;
  return { title, markdown: tidy(converter().turndown(body)) };
}

function parseDocument(html: string, url: string) {
  const parsed = linkedom()(html);
  const { document } = parsed;
  if (document.documentElement) flattenBelow(document.documentElement, MAX_HTML_DEPTH);
  if (!document.querySelector('base[href]') && document.head) {
    const base = document.createElement('base');
    base.setAttribute('href', url);
    document.head.prepend(base);
  }
  return parsed;
}

/** Replaces what lies below `maxDepth` by its text; one walk, no recursion. */
function flattenBelow(root: ParsedElement, maxDepth: number): void {
  const stack: [ParsedElement, number][] = [[root, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [element, depth] = next;
    if (depth >= maxDepth) {
      if (element.firstElementChild) element.textContent = element.textContent ?? '';
      continue;
    }
    for (let child = element.firstElementChild; child; child = child.nextElementSibling) {
      stack.push([child as ParsedElement, depth + 1]);
    }
  }
}

type ParsedDocument = ReturnType<typeof parseHTML>['document'];
type ParsedElement = NonNullable<ParsedDocument['body']>;

function absolutize(document: ParsedDocument, url: string): void {
  const base = document.querySelector('base[href]')?.getAttribute('href') ?? url;
  for (const [selector, attribute] of [
    ['a[href]', 'href'],
    ['img[src]', 'src'],
  ] as const) {
    for (const element of document.querySelectorAll(selector)) {
      const value = element.getAttribute(attribute);
      if (!value) continue;
      try {
        element.setAttribute(attribute, new URL(value, new URL(base, url)).href);
      } catch {
        // A link that is not a URL stays as the page wrote it.
      }
    }
  }
}

function tidy(markdown: string): string {
  return markdown.replace(/\n{3,}/g, '\n\n').trim();
}
