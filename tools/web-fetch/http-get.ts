import type { IncomingHttpHeaders } from 'node:http';
import type { Pool } from 'undici';

export interface HopOptions {
  signal: AbortSignal;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Bytes of body read from the wire before the rest is cut off. */
  maxBytes: number;
  userAgent: string;
}

export interface HopResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The raw (still encoded) body, at most `maxBytes`; empty when not read. */
  body: Buffer;
  /** Bytes received on the wire for the body. */
  wireBytes: number;
  /** True when the body was longer than `maxBytes` and was cut. */
  truncated: boolean;
}

const ACCEPT =
  'text/html,application/xhtml+xml,application/json;q=0.9,text/plain;q=0.9,text/*;q=0.8,*/*;q=0.1';

/**
 * One GET through a pinned pool. Redirects are not followed here, and the body of a response
 * that is not read (a redirect, an error) is drained a little for keep-alive, then dropped.
 */
export async function getOnce(
  pool: Pool,
  url: URL,
  options: HopOptions,
  readBody: (status: number) => boolean,
): Promise<HopResponse> {
  const response = await pool.request({
    path: `${url.pathname}${url.search}`,
    method: 'GET',
    headers: {
      'user-agent': options.userAgent,
      accept: ACCEPT,
      'accept-encoding': 'gzip, deflate, br',
    },
    signal: options.signal,
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
  });
  const { statusCode, headers, body } = response;
  if (!readBody(statusCode)) {
    await body.dump({ limit: 16_384 }).catch(() => undefined);
    return { status: statusCode, headers, body: Buffer.alloc(0), wireBytes: 0, truncated: false };
  }
  const chunks: Buffer[] = [];
  let kept = 0;
  let received = 0;
  let truncated = false;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    received += chunk.length;
    const room = options.maxBytes - kept;
    if (chunk.length > room) {
      if (room > 0) chunks.push(chunk.subarray(0, room));
      kept += Math.max(0, room);
      truncated = true;
      break;
    }
    chunks.push(chunk);
    kept += chunk.length;
  }
  return {
    status: statusCode,
    headers,
    body: Buffer.concat(chunks, kept),
    wireBytes: received,
    truncated,
  };
}
