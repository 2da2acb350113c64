import { z } from 'zod';
import { withTimeout } from '../../src/core/abort.js';
import { classifyAddress, isAddressInRanges } from '../../src/core/ip.js';
import type { ToolDefinition, ToolResult } from '../../src/core/tool.js';
import { CORPUS_SCHEME, checkCorpusDir } from '../web-search/corpus.js';
import { type Resolver, systemResolver } from './address-guard.js';
import { readCorpusDocument } from './corpus-source.js';
import { type FetchedDocument, type FetchSettings, fetchDocument } from './fetch-document.js';
import { formatPage } from './format-page.js';
import { LruCache } from './lru-cache.js';
import { PinnedPools } from './pinned-pools.js';

export type { Resolver } from './address-guard.js';

export interface WebFetchOptions {
  /** Makes `corpus://` URLs (the local search back end's results) readable from this folder. */
  corpusDir?: string;
  /** DNS resolution; tests inject one, the default is the system resolver. */
  resolver?: Resolver;
  userAgent?: string;
  /** Bytes of a response body read from the wire (default 5 MiB); the rest is cut off. */
  maxBytes?: number;
  /** Bytes a compressed body may decompress to (default 10 MiB). */
  maxDecodedBytes?: number;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  maxRedirects?: number;
  /** Pages kept in the per-tool cache (default 32; 0 turns the cache off). */
  cacheEntries?: number;
  /** Page size when the model names none (default 8,000 characters). */
  defaultMaxChars?: number;
}

export const webFetchInput = z.strictObject({
  url: z.string().trim().min(1).max(4096).describe('The http or https URL to read.'),
  max_chars: z
    .number()
    .int()
    .min(200)
    .max(100_000)
    .optional()
    .describe('Characters of text to return (default 8000).'),
  offset: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Character offset to start from, to read the next page of a long document.'),
});

export type WebFetchInput = z.infer<typeof webFetchInput>;

/** The tool, plus `close()` for its pooled keep-alive connections. */
export type WebFetchTool = ToolDefinition<WebFetchInput> & {
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
};

const MiB = 1024 * 1024;

/**
 * The `web_fetch` tool: reads a web page as Markdown, JSON or text, with SSRF protection on
 * by default. Only addresses inside the call's `private_network` ranges are exempt.
 */
export function createWebFetchTool(options: WebFetchOptions = {}): WebFetchTool {
  const corpusDir = options.corpusDir === undefined ? undefined : checkCorpusDir(options.corpusDir);
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const pools = new PinnedPools({ connectTimeoutMs });
  const settings: FetchSettings = {
    pools,
    resolver: options.resolver ?? systemResolver,
    userAgent: options.userAgent ?? 'assay-web-fetch/0.1 (+https://github.com/assay)',
    maxBytes: options.maxBytes ?? 5 * MiB,
    maxDecodedBytes: options.maxDecodedBytes ?? 10 * MiB,
    connectTimeoutMs,
    headersTimeoutMs: options.headersTimeoutMs ?? 15_000,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 15_000,
    maxRedirects: options.maxRedirects ?? 5,
  };
  const cache = new LruCache<FetchedDocument>(options.cacheEntries ?? 32, 16 * MiB);
  const defaultMaxChars = options.defaultMaxChars ?? 8_000;

  const run = async (args: WebFetchInput, ctx: Parameters<ToolDefinition['run']>[1]) => {
    let url: URL;
    try {
      url = new URL(args.url);
    } catch {
      return failure('FETCH_BAD_URL', `"${args.url}" is not a valid URL`);
    }
    url.hash = '';
    const ranges = ctx.limits.private_network;
    const cached = cache.get(url.href);
    if (cached?.addresses.every((a) => allowed(a, ranges))) {
      return page(cached, args, ctx.limits.output_bytes, defaultMaxChars, 0, hostsOf(cached), true);
    }
    let outcome: Awaited<ReturnType<typeof fetchDocument>>;
    if (url.protocol === CORPUS_SCHEME) {
      if (!corpusDir) {
        return failure(
          'FETCH_BLOCKED',
          `refused to fetch ${url.href}: corpus URLs are readable only with the local search back end`,
        );
      }
      outcome = await readCorpusDocument(
        args.url.split('#')[0]!,
        corpusDir,
        settings.maxDecodedBytes,
      );
    } else {
      const signal = withTimeout(ctx.signal, ctx.limits.timeout_ms);
      outcome = await fetchDocument(url, settings, ranges, signal, ctx.signal, ctx.mayFollow);
    }
    const usage = { fetched_bytes: outcome.wireBytes, hosts: outcome.hosts };
    if (!outcome.ok) return { ...failure(outcome.code, outcome.message), usage };
    cache.set(url.href, outcome.doc, outcome.doc.text.length);
    return page(
      outcome.doc,
      args,
      ctx.limits.output_bytes,
      defaultMaxChars,
      outcome.wireBytes,
      outcome.hosts,
      false,
    );
  };

  const close = () => pools.close();
  return {
    name: 'web_fetch',
    description:
      'Read a web page (or a search result URL) and return its text: HTML as Markdown, JSON pretty-printed, plain text as is. Long pages come in pages; the footer says which offset to ask for next.',
    inputSchema: webFetchInput,
    taints: true,
    run,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function allowed(address: string, ranges: readonly string[]): boolean {
  return classifyAddress(address) === 'public' || isAddressInRanges(address, ranges);
}

function hostsOf(doc: FetchedDocument): string[] {
  try {
    const url = new URL(doc.finalUrl);
    return url.protocol === CORPUS_SCHEME ? [] : [url.hostname.replace(/^\[|\]$/g, '')];
  } catch {
    return [];
  }
}

function failure(code: string, message: string): ToolResult {
  return { ok: false, content: message, error: { code, message } };
}

function page(
  doc: FetchedDocument,
  args: WebFetchInput,
  outputBytes: number,
  defaultMaxChars: number,
  fetchedBytes: number,
  hosts: string[],
  cached: boolean,
): ToolResult {
  const usage = { fetched_bytes: fetchedBytes, hosts };
  const formatted = formatPage(
    doc,
    args.offset ?? 0,
    args.max_chars ?? defaultMaxChars,
    outputBytes,
  );
  if (!formatted.ok) return { ...failure('FETCH_BAD_OFFSET', formatted.message), usage };
  return {
    ok: true,
    content: formatted.content,
    usage,
    data: {
      url: doc.url,
      final_url: doc.finalUrl,
      title: doc.title,
      mime_type: doc.mimeType,
      offset: formatted.offset,
      next_offset: formatted.nextOffset ?? null,
      total_chars: doc.text.length,
      cached,
    },
  };
}
