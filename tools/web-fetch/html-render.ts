import type { MarkdownPage } from './html-to-markdown.js';
import { convertInWorker } from './html-workers.js';

/** Time a page may take to become Markdown before its worker is terminated. */
export const HTML_RENDER_DEADLINE_MS = 5_000;
/** Characters of HTML converted to Markdown; the rest of a larger page is left out. */
export const MAX_HTML_CHARS = 2_000_000;

export interface RenderedHtml extends MarkdownPage {
  /** Says what was left out or why the page is plain text, for the model. */
  note: string | null;
}

/**
 * Untrusted HTML becomes Markdown in a worker thread, so a page built to be slow (Readability
 * and Turndown grow with the square of nesting depth) never blocks the event loop. Past its
 * deadline, or its heap, the worker is terminated and the page comes back as plain text from
 * a linear scan in a fresh worker. Aborting `signal` terminates the worker and rejects with its reason.
 */
export async function renderHtml(
  html: string,
  url: string,
  options: { signal?: AbortSignal | undefined; deadlineMs?: number } = {},
): Promise<RenderedHtml> {
  options.signal?.throwIfAborted();
  const cut = html.length > MAX_HTML_CHARS;
  const input = cut ? html.slice(0, MAX_HTML_CHARS) : html;
  const cutNote = cut
    ? `only the first ${MAX_HTML_CHARS} characters of the HTML were converted`
    : null;
  const deadlineMs = options.deadlineMs ?? HTML_RENDER_DEADLINE_MS;
  const job = { html: input, url, mode: 'markdown' as const };
  const result = await convertInWorker(job, deadlineMs, options.signal);
  if (result.ok) return { title: result.title, markdown: result.markdown, note: cutNote };
  const why =
    result.reason === 'deadline'
      ? `the page could not be converted to Markdown within ${deadlineMs / 1000} s`
      : `the page could not be converted to Markdown (${result.message})`;
  const after = cutNote ? `; ${cutNote}` : '';
  // The fallback is one linear scan, but it too runs off the main thread and under a deadline.
  const textDeadline = Math.max(deadlineMs, HTML_RENDER_DEADLINE_MS);
  const text = await convertInWorker({ ...job, mode: 'text' }, textDeadline, options.signal);
  if (!text.ok) {
    return { title: '', markdown: '', note: `${why}, and neither could its text${after}` };
  }
  return {
    title: text.title,
    markdown: text.markdown,
    note: `${why}, so this is its text without links or layout${after}`,
  };
}
