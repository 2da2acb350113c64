import { parentPort } from 'node:worker_threads';
import { htmlToMarkdown } from './html-to-markdown.js';
import { htmlToText } from './html-to-text.js';

/* Converts HTML to Markdown off the main thread; html-render.ts terminates it past its deadline. */

interface Job {
  html: string;
  url: string;
  /** `text` is the linear fallback for a page whose Markdown took too long. */
  mode: 'markdown' | 'text';
}

// Loading the parser takes seconds under tsx; the host starts a page's deadline after this.
parentPort?.postMessage({ ready: true });

parentPort?.on('message', (job: Job) => {
  try {
    const page = job.mode === 'text' ? htmlToText(job.html) : htmlToMarkdown(job.html, job.url);
    parentPort?.postMessage({ ok: true, title: page.title, markdown: page.markdown });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    parentPort?.postMessage({ ok: false, message });
  }
});
