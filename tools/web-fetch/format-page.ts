import type { FetchedDocument } from './fetch-document.js';
import { paginate } from './paginate.js';

export type FormattedPage =
  | { ok: true; content: string; offset: number; nextOffset: number | undefined }
  | { ok: false; message: string };

/** Bytes kept free for the footer, which names the URL and the next offset. */
const FOOTER_RESERVE = 160;

/**
 * The text the model reads: a short header (URL, title, type, notes), one page of the
 * document, and a footer that says how to get the next page when there is one.
 */
export function formatPage(
  doc: FetchedDocument,
  offset: number,
  maxChars: number,
  outputBytes: number,
): FormattedPage {
  const total = doc.text.length;
  if (offset > 0 && offset >= total) {
    return {
      ok: false,
      message: `offset ${offset} is past the end of ${doc.url}, which has ${total} characters`,
    };
  }
  const lines = [
    doc.finalUrl === doc.url
      ? `URL: ${doc.url}`
      : `URL: ${doc.finalUrl} (redirected from ${doc.url})`,
  ];
  if (doc.title) lines.push(`Title: ${doc.title}`);
  lines.push(`Type: ${doc.mimeType}`);
  for (const note of doc.notes) lines.push(`Note: ${note}.`);
  const header = `${lines.join('\n')}\n\n`;
  const budget = Math.max(
    256,
    outputBytes - Buffer.byteLength(header) - FOOTER_RESERVE - Buffer.byteLength(doc.url),
  );
  const slice = paginate(doc.text, offset, maxChars, budget);
  let footer = '';
  if (slice.nextOffset !== undefined) {
    footer = `\n\n[Characters ${offset}-${slice.nextOffset} of ${total}. For more, call web_fetch with {"url": ${JSON.stringify(doc.url)}, "offset": ${slice.nextOffset}}.]`;
  } else if (offset > 0) {
    footer = `\n\n[Characters ${offset}-${total} of ${total}: the end of the document.]`;
  }
  const body = total === 0 ? '(the document has no text)' : slice.text;
  return { ok: true, content: header + body + footer, offset, nextOffset: slice.nextOffset };
}
