import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../tools/web-fetch/html-render.js';
import { htmlToMarkdown, MAX_HTML_DEPTH } from '../../tools/web-fetch/html-to-markdown.js';
import { htmlToText } from '../../tools/web-fetch/html-to-text.js';

const URL = 'https://example.org/page';

/** The longest the event loop went without running a 5 ms interval while `work` ran. */
async function worstStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  try {
    const result = await work();
    stallMs = Math.max(stallMs, performance.now() - last);
    return { result, stallMs };
  } finally {
    clearInterval(tick);
  }
}

function nested(depth: number, inner = 'deep text'): string {
  return `<html><head><title>Nest</title></head><body>${'<div>'.repeat(depth)}${inner}${'</div>'.repeat(depth)}</body></html>`;
}

describe('HTML from untrusted pages', { timeout: 120_000 }, () => {
  it('converts 40,000 nested divs in a worker while the event loop keeps running', async () => {
    const { result, stallMs } = await worstStall(() =>
      renderHtml(nested(40_000), URL, { deadlineMs: 30_000 }),
    );
    console.log(`40,000 nested divs: worst event-loop stall ${Math.round(stallMs)} ms`);
    expect(result.markdown).toContain('deep text');
    // Before the worker, this call held the main thread for a minute.
    expect(stallMs).toBeLessThan(1_000);
  });

  it('stops a 1 MB page at its deadline and returns its text instead', async () => {
    const page = `<title>Big</title>${'<div><b>w</b>'.repeat(80_000)}`;
    expect(page.length).toBeGreaterThan(1_000_000);
    const started = performance.now();
    const { result, stallMs } = await worstStall(() => renderHtml(page, URL, { deadlineMs: 200 }));
    console.log(`1 MB page: worst event-loop stall ${Math.round(stallMs)} ms`);
    expect(result.note).toBe(
      'the page could not be converted to Markdown within 0.2 s, so this is its text without links or layout',
    );
    expect(result.title).toBe('Big');
    expect(result.markdown.startsWith('w\nw\nw')).toBe(true);
    expect(stallMs).toBeLessThan(1_000);
    expect(performance.now() - started).toBeLessThan(10_000);
    const next = await renderHtml(
      '<html><body><p>after <a href="/x">a link</a></p></body></html>',
      URL,
    );
    expect(next.markdown).toBe('after [a link](https://example.org/x)');
  });

  it('rejects with the reason when the call is aborted, without waiting for the page', async () => {
    const controller = new AbortController();
    const pending = renderHtml(nested(40_000), URL, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('call cancelled')), 50);
    await expect(pending).rejects.toThrow('call cancelled');
  });

  it('keeps only the text of elements nested deeper than the depth cap', () => {
    const page = htmlToMarkdown(
      nested(MAX_HTML_DEPTH + 50, '<a href="/x">link</a> and <b>bold</b>'),
      URL,
    );
    expect(page.markdown).toContain('link and bold');
    expect(page.markdown).not.toContain('](');
  });
});

describe('htmlToText', () => {
  it('reads text, title and entities and skips scripts and styles', () => {
    expect(
      htmlToText(
        '<title>A &amp; B</title><style>p{}</style><p>one&nbsp;&#x32;</p><script>x<1</script><div>three &lt;4&gt;',
      ),
    ).toEqual({ title: 'A & B', markdown: 'one 2\nthree <4>' });
  });

  it('stops at an unclosed tag instead of scanning it again for every angle bracket', () => {
    expect(htmlToText(`text${'<'.repeat(200_000)}`).markdown).toBe('text');
  });
});
