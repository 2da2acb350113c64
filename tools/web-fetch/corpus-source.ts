import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { corpusPathFromUrl } from '../web-search/corpus.js';
import { renderBody } from './content.js';
import type { FetchOutcome } from './fetch-document.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.markdown': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Reads a `corpus://` document the way a fetch would, so search results can be opened offline. */
export async function readCorpusDocument(
  url: string,
  corpusDir: string,
  maxBytes: number,
): Promise<FetchOutcome> {
  const target = await corpusPathFromUrl(url, corpusDir);
  if (!target.ok) {
    return { ok: false, code: 'FETCH_NOT_FOUND', message: target.message, wireBytes: 0, hosts: [] };
  }
  const handle = await open(target.absPath, 'r');
  let body: Buffer;
  let truncated = false;
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    body = Buffer.alloc(length);
    await handle.read(body, 0, length, 0);
    truncated = size > maxBytes;
  } finally {
    await handle.close();
  }
  const rendered = await renderBody(body, TYPES[extname(target.relPath).toLowerCase()], url);
  if (!rendered.ok) {
    return { ok: false, code: rendered.code, message: rendered.message, wireBytes: 0, hosts: [] };
  }
  return {
    ok: true,
    wireBytes: body.length,
    hosts: [],
    doc: {
      url,
      finalUrl: url,
      title: rendered.title,
      text: rendered.text,
      mimeType: rendered.mimeType,
      kind: rendered.kind,
      addresses: [],
      notes: [
        ...(truncated ? [`the document was cut at ${maxBytes} bytes`] : []),
        ...(rendered.note === null ? [] : [rendered.note]),
      ],
    },
  };
}
