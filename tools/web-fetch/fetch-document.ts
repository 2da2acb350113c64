import { STATUS_CODES } from 'node:http';
import { isTimeoutReason } from '../../src/core/abort.js';
import { AssayError, errorMessage } from '../../src/core/errors.js';
import { bareHost, guardAddress, type Resolver } from './address-guard.js';
import { type ContentKind, renderBody } from './content.js';
import { decodeBody } from './decompress.js';
import { getOnce } from './http-get.js';
import type { PinnedPools } from './pinned-pools.js';

export interface FetchedDocument {
  url: string;
  finalUrl: string;
  title: string;
  text: string;
  mimeType: string;
  kind: ContentKind;
  /** Every address connected to on the way; a cached copy is served only if all still pass. */
  addresses: string[];
  /** Things the model should know about the copy: cut bodies, cut decompression. */
  notes: string[];
}

export type FetchOutcome =
  | { ok: true; doc: FetchedDocument; wireBytes: number; hosts: string[] }
  | { ok: false; code: string; message: string; wireBytes: number; hosts: string[] };

export interface FetchSettings {
  pools: PinnedPools;
  resolver: Resolver;
  userAgent: string;
  maxBytes: number;
  maxDecodedBytes: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  maxRedirects: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * GETs an http(s) URL under SSRF protection: every hop (the first and each redirect) has its
 * scheme checked and its host resolved, checked and pinned before anything is sent to it.
 * Failures the model can act on come back as `ok: false`; an abort by the caller throws.
 */
export async function fetchDocument(
  start: URL,
  settings: FetchSettings,
  allowedRanges: readonly string[],
  signal: AbortSignal,
  callerSignal: AbortSignal,
  mayFollow?: (url: string) => string | null,
): Promise<FetchOutcome> {
  const hosts = new Set<string>();
  const addresses: string[] = [];
  let wireBytes = 0;
  const fail = (code: string, message: string): FetchOutcome => ({
    ok: false,
    code,
    message,
    wireBytes,
    hosts: [...hosts],
  });
  let current = start;
  for (let hop = 0; ; hop++) {
    const via = hop === 0 ? '' : ` (redirected from ${start.href})`;
    if (current.protocol !== 'http:' && current.protocol !== 'https:') {
      return fail(
        'FETCH_BLOCKED',
        `refused to fetch ${current.href}${via}: only http and https URLs can be fetched, not ${current.protocol.slice(0, -1)}`,
      );
    }
    let guard: Awaited<ReturnType<typeof guardAddress>>;
    try {
      guard = await guardAddress(current, settings.resolver, allowedRanges, signal);
    } catch (error) {
      return abortOrTimeout(error, current, signal, callerSignal, fail);
    }
    if (!guard.ok) return fail(guard.code, `${guard.message}${via}`);
    hosts.add(bareHost(current));
    addresses.push(guard.address);
    const pool = settings.pools.get(current.origin, guard.address, guard.family);
    let response: Awaited<ReturnType<typeof getOnce>>;
    try {
      response = await getOnce(
        pool,
        current,
        {
          signal,
          headersTimeoutMs: settings.headersTimeoutMs,
          bodyTimeoutMs: settings.bodyTimeoutMs,
          maxBytes: settings.maxBytes,
          userAgent: settings.userAgent,
        },
        (status) => !REDIRECTS.has(status) && status < 400,
      );
    } catch (error) {
      return abortOrTimeout(error, current, signal, callerSignal, fail, settings, guard.address);
    }
    wireBytes += response.wireBytes;
    const { status } = response;
    if (REDIRECTS.has(status)) {
      const location = headerValue(response.headers['location']);
      if (!location)
        return fail('FETCH_HTTP_ERROR', `${current.href} answered ${status} without a Location`);
      if (hop >= settings.maxRedirects) {
        return fail(
          'FETCH_TOO_MANY_REDIRECTS',
          `${start.href} redirected more than ${settings.maxRedirects} times`,
        );
      }
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        return fail(
          'FETCH_HTTP_ERROR',
          `${current.href} redirected to an invalid URL: ${location}`,
        );
      }
      // Each hop is a request the model did not choose: the policy decides it as a call of
      // that URL (once tainted, only URLs already seen), before anything is sent there.
      const refusal = mayFollow?.(next.href);
      if (refusal) {
        return fail(
          'FETCH_REDIRECT_REFUSED',
          `${current.href} answered ${status} with a redirect that was not followed: ${refusal}`,
        );
      }
      current = next;
      continue;
    }
    if (status >= 400) {
      return fail(
        'FETCH_HTTP_ERROR',
        `${current.href} answered HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trim(),
      );
    }
    const notes: string[] = [];
    if (response.truncated) {
      notes.push(`the response was cut at ${settings.maxBytes} bytes; the rest of it was not read`);
    }
    const decoded = await decodeBody(
      response.body,
      headerValue(response.headers['content-encoding']),
      settings.maxDecodedBytes,
    );
    if (!decoded.ok) return fail('FETCH_BAD_BODY', `${current.href}: ${decoded.message}`);
    if (decoded.truncated && !response.truncated) {
      notes.push(`the decompressed body was cut at ${settings.maxDecodedBytes} bytes`);
    }
    let rendered: Awaited<ReturnType<typeof renderBody>>;
    try {
      rendered = await renderBody(
        decoded.body,
        headerValue(response.headers['content-type']),
        current.href,
        signal,
      );
    } catch (error) {
      return abortOrTimeout(error, current, signal, callerSignal, fail);
    }
    if (!rendered.ok) return fail(rendered.code, rendered.message);
    if (rendered.note !== null) notes.push(rendered.note);
    return {
      ok: true,
      wireBytes,
      hosts: [...hosts],
      doc: {
        url: start.href,
        finalUrl: current.href,
        title: rendered.title,
        text: rendered.text,
        mimeType: rendered.mimeType,
        kind: rendered.kind,
        addresses,
        notes,
      },
    };
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const TIMEOUT_CODES: Record<string, (s: FetchSettings, url: URL, address: string) => string> = {
  UND_ERR_CONNECT_TIMEOUT: (s, url, address) =>
    `connecting to ${bareHost(url)} (${address}) timed out after ${s.connectTimeoutMs} ms`,
  UND_ERR_HEADERS_TIMEOUT: (s, url) =>
    `${url.href} sent no response headers within ${s.headersTimeoutMs} ms`,
  UND_ERR_BODY_TIMEOUT: (s, url) =>
    `${url.href} stopped sending its body for ${s.bodyTimeoutMs} ms`,
};

function abortOrTimeout(
  error: unknown,
  url: URL,
  signal: AbortSignal,
  callerSignal: AbortSignal,
  fail: (code: string, message: string) => FetchOutcome,
  settings?: FetchSettings,
  address = '',
): FetchOutcome {
  if (callerSignal.aborted) {
    throw new AssayError('ABORTED', `web_fetch of ${url.href} was aborted`, { cause: error });
  }
  if (signal.aborted && isTimeoutReason(signal.reason)) {
    return fail('FETCH_TIMEOUT', `${url.href} did not finish within the time limit of this call`);
  }
  const code = (error as { code?: string }).code ?? '';
  const describe = settings ? TIMEOUT_CODES[code] : undefined;
  if (describe && settings) return fail('FETCH_TIMEOUT', describe(settings, url, address));
  const reason = code && !code.startsWith('UND_ERR') ? code : errorMessage(error);
  return fail('FETCH_FAILED', `could not fetch ${url.href}: ${reason}`);
}
