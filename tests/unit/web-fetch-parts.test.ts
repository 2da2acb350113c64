import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { renderBody } from '../../tools/web-fetch/content.js';
import { decodeBody } from '../../tools/web-fetch/decompress.js';
import { htmlToMarkdown } from '../../tools/web-fetch/html-to-markdown.js';
import { LruCache } from '../../tools/web-fetch/lru-cache.js';
import { paginate } from '../../tools/web-fetch/paginate.js';
import { corpusPathFromUrl, corpusUrl } from '../../tools/web-search/corpus.js';

describe('paginate', () => {
  it('returns pages that join back into the whole text', () => {
    const text = 'abcdefghij'.repeat(25);
    const pages: string[] = [];
    let offset: number | undefined = 0;
    while (offset !== undefined) {
      const page = paginate(text, offset, 60, 10_000);
      pages.push(page.text);
      offset = page.nextOffset;
    }
    expect(pages).toHaveLength(5);
    expect(pages.join('')).toBe(text);
  });

  it('keeps a page under the byte limit for multi-byte text', () => {
    const text = 'ø'.repeat(1000);
    const page = paginate(text, 0, 1000, 301);
    expect(Buffer.byteLength(page.text)).toBeLessThanOrEqual(301);
    expect(page.nextOffset).toBe(page.text.length);
  });

  it('never splits a surrogate pair', () => {
    const text = `a${'😀'.repeat(10)}`;
    const page = paginate(text, 0, 4, 1000);
    expect(page.text).toBe('a😀');
    expect(page.nextOffset).toBe(3);
  });

  it('moves forward even when one character exceeds the byte limit', () => {
    const page = paginate('😀😀', 0, 10, 1);
    expect(page.text).toBe('😀');
    expect(page.nextOffset).toBe(2);
  });
});

describe('decodeBody', () => {
  it('decodes stacked encodings in reverse order', async () => {
    const twice = gzipSync(gzipSync('inner text'));
    const result = await decodeBody(twice, 'gzip, gzip', 1000);
    expect(result).toMatchObject({ ok: true, truncated: false });
    expect(result.ok && result.body.toString()).toBe('inner text');
  });

  it('decodes as much as arrived of a gzip body cut on the wire', async () => {
    const full = gzipSync(Buffer.from('word '.repeat(20_000)));
    const result = await decodeBody(full.subarray(0, full.length - 20), 'gzip', 1_000_000);
    expect(result.ok).toBe(true);
    expect(result.ok && result.body.toString().startsWith('word word')).toBe(true);
    expect(result.ok && result.body.length).toBeGreaterThan(50_000);
  });

  it('stops decompressing at the cap', async () => {
    const result = await decodeBody(gzipSync(Buffer.alloc(5_000_000, 'x')), 'gzip', 4096);
    expect(result.ok && result.body.length).toBe(4096);
    expect(result.ok && result.truncated).toBe(true);
  });

  it('names an encoding it does not know and a body that is not compressed', async () => {
    expect(await decodeBody(Buffer.from('x'), 'compress', 10)).toEqual({
      ok: false,
      message: 'unsupported content encoding "compress"',
    });
    const garbage = await decodeBody(Buffer.from('not gzip at all'), 'gzip', 100);
    expect(garbage.ok).toBe(false);
  });
});

describe('renderBody', () => {
  const url = 'https://example.org/x';

  it.each([['application/pdf'], ['application/octet-stream'], ['video/mp4'], ['application/zip']])(
    'refuses %s by name',
    async (type) => {
      const result = await renderBody(Buffer.from('%PDF-1.7'), type, url);
      expect(result).toEqual({
        ok: false,
        code: 'FETCH_UNSUPPORTED_TYPE',
        message: `${url} is ${type} content, which web_fetch does not read; it reads HTML, JSON and text`,
      });
    },
  );

  it('reads XML, JSON variants and text types', async () => {
    expect(await renderBody(Buffer.from('<a>1</a>'), 'application/rss+xml', url)).toMatchObject({
      ok: true,
      kind: 'text',
    });
    expect(await renderBody(Buffer.from('{"a":[1]}'), 'application/ld+json', url)).toMatchObject({
      ok: true,
      kind: 'json',
      text: '{\n  "a": [\n    1\n  ]\n}',
    });
    expect(await renderBody(Buffer.from('{broken'), 'application/json', url)).toMatchObject({
      ok: true,
      text: '{broken',
    });
  });

  it('sniffs untyped HTML and refuses untyped binary data', async () => {
    expect(
      await renderBody(Buffer.from('<!DOCTYPE html><title>T</title><p>x</p>'), undefined, url),
    ).toMatchObject({
      ok: true,
      kind: 'html',
      title: 'T',
    });
    const binary = await renderBody(Buffer.from([0x00, 0x01, 0x02]), undefined, url);
    expect(binary.ok).toBe(false);
    expect(!binary.ok && binary.message).toContain('unknown (binary data)');
  });

  it('uses the charset of a meta tag when the header has none', async () => {
    const html = Buffer.concat([
      Buffer.from('<html><head><meta charset="windows-1252"></head><body><p>caf'),
      Buffer.from([0xe9]),
      Buffer.from('</p></body></html>'),
    ]);
    const result = await renderBody(html, 'text/html', url);
    expect(result.ok && result.text).toContain('café');
  });
});

describe('htmlToMarkdown', () => {
  it('keeps a page base href for relative links', () => {
    const page = htmlToMarkdown(
      '<html><head><base href="https://docs.example/v2/"></head><body><a href="guide">Guide</a></body></html>',
      'https://example.org/',
    );
    expect(page.markdown).toContain('[Guide](https://docs.example/v2/guide)');
  });
});

describe('LruCache', () => {
  it('evicts the least recently used entry by count and by weight', () => {
    const cache = new LruCache<string>(2, 100);
    cache.set('a', 'A', 10);
    cache.set('b', 'B', 10);
    cache.get('a');
    cache.set('c', 'C', 10);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    cache.set('big', 'BIG', 95);
    expect(cache.size).toBe(1);
    expect(cache.get('big')).toBe('BIG');
    cache.set('huge', 'HUGE', 101);
    expect(cache.get('huge')).toBeUndefined();
  });
});

describe('corpus URLs', () => {
  const root = mkdtempSync(join(tmpdir(), 'assay-corpus-'));
  const corpus = join(root, 'corpus');
  mkdirSync(join(corpus, 'a b'), { recursive: true });
  writeFileSync(join(corpus, 'a b', 'doc one.md'), '# One');
  writeFileSync(join(corpus, 'secret.json'), '{}');
  writeFileSync(join(root, 'outside.md'), 'outside');
  symlinkSync(join(root, 'outside.md'), join(corpus, 'link.md'));

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('round-trips paths with spaces through their URL', async () => {
    const url = corpusUrl('a b/doc one.md');
    expect(url).toBe('corpus://a%20b/doc%20one.md');
    expect(await corpusPathFromUrl(url, corpus)).toMatchObject({
      ok: true,
      relPath: 'a b/doc one.md',
    });
  });

  it('refuses links out of the corpus, non-documents and dot segments', async () => {
    expect(await corpusPathFromUrl('corpus://link.md', corpus)).toEqual({
      ok: false,
      message: 'corpus://link.md points outside the corpus',
    });
    expect((await corpusPathFromUrl('corpus://secret.json', corpus)).ok).toBe(false);
    expect((await corpusPathFromUrl('corpus://a%20b/%2E%2E/%2E%2E/outside.md', corpus)).ok).toBe(
      false,
    );
    expect(await corpusPathFromUrl('corpus://missing.md', corpus)).toEqual({
      ok: false,
      message: 'no corpus document at corpus://missing.md',
    });
  });
});
