import { safeJsonParse } from '../../src/core/json.js';
import { renderHtml } from './html-render.js';

export type ContentKind = 'html' | 'json' | 'text';

export type RenderedContent =
  | {
      ok: true;
      kind: ContentKind;
      mimeType: string;
      title: string;
      text: string;
      /** What the conversion left out, for the model; null when nothing. */
      note: string | null;
    }
  | { ok: false; code: 'FETCH_UNSUPPORTED_TYPE'; message: string };

const TEXT_TYPES = new Set([
  'application/xml',
  'application/javascript',
  'application/ecmascript',
  'application/x-javascript',
  'application/x-ndjson',
  'application/yaml',
  'application/x-yaml',
  'application/toml',
  'application/sql',
  'application/graphql',
  'application/csv',
  'application/x-sh',
  'application/rss+xml',
  'application/atom+xml',
]);

/**
 * Turns a decoded body into text for the model: HTML into Markdown, JSON pretty-printed, text
 * as it is. Binary types are refused with a message naming the type; a body without a type is
 * sniffed. HTML is converted in a worker thread with a deadline (see html-render.ts);
 * aborting `signal` stops it and rejects with the signal's reason.
 */
export async function renderBody(
  body: Buffer,
  contentType: string | undefined,
  url: string,
  signal?: AbortSignal,
): Promise<RenderedContent> {
  const { mimeType, charset } = parseContentType(contentType);
  const kind = kindOf(mimeType, body);
  if (!kind) {
    const type = mimeType || 'unknown (binary data)';
    return {
      ok: false,
      code: 'FETCH_UNSUPPORTED_TYPE',
      message: `${url} is ${type} content, which web_fetch does not read; it reads HTML, JSON and text`,
    };
  }
  const utf16 = charset?.toLowerCase().startsWith('utf-16') ?? false;
  if (!utf16 && looksBinary(body)) {
    return {
      ok: false,
      code: 'FETCH_UNSUPPORTED_TYPE',
      message: `${url} is declared as ${mimeType || 'text'} but holds binary data, which web_fetch does not read`,
    };
  }
  const text = decodeText(body, charset ?? (kind === 'html' ? metaCharset(body) : undefined));
  const type = mimeType || (kind === 'html' ? 'text/html' : 'text/plain');
  if (kind === 'html') {
    const page = await renderHtml(text, url, { signal });
    return {
      ok: true,
      kind,
      mimeType: type,
      title: page.title,
      text: page.markdown,
      note: page.note,
    };
  }
  if (kind === 'json') {
    const parsed = safeJsonParse(text);
    const pretty = parsed.ok ? JSON.stringify(parsed.value, null, 2) : text;
    return { ok: true, kind, mimeType: type, title: '', text: pretty ?? text, note: null };
  }
  return { ok: true, kind, mimeType: type, title: '', text, note: null };
}

function parseContentType(header: string | undefined): { mimeType: string; charset?: string } {
  if (!header) return { mimeType: '' };
  const [type = '', ...params] = header.split(';');
  const mimeType = type.trim().toLowerCase();
  for (const param of params) {
    const [key, value] = param.split('=');
    if (key?.trim().toLowerCase() === 'charset' && value) {
      return { mimeType, charset: value.trim().replace(/^"|"$/g, '') };
    }
  }
  return { mimeType };
}

function kindOf(mimeType: string, body: Buffer): ContentKind | undefined {
  if (mimeType === 'text/html' || mimeType === 'application/xhtml+xml') return 'html';
  if (mimeType === 'application/json' || mimeType.endsWith('+json')) return 'json';
  if (mimeType.startsWith('text/') || TEXT_TYPES.has(mimeType) || mimeType.endsWith('+xml')) {
    return 'text';
  }
  if (mimeType !== '') return undefined;
  const head = body.subarray(0, 512).toString('utf8').trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'html';
  if (head.startsWith('{') || head.startsWith('[')) return 'json';
  return looksBinary(body) ? undefined : 'text';
}

/** NUL bytes in the first kilobytes: text formats never have them, binary ones nearly always. */
function looksBinary(body: Buffer): boolean {
  return body.subarray(0, 4096).includes(0);
}

function metaCharset(body: Buffer): string | undefined {
  const head = body.subarray(0, 2048).toString('latin1');
  return /<meta[^>]+charset=["']?([\w-]+)/i.exec(head)?.[1];
}

function decodeText(body: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}
