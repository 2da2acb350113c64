import type { z } from 'zod';
import { isTimeoutReason, withTimeout } from '../../src/core/abort.js';
import { AssayError, errorMessage, InfraError } from '../../src/core/errors.js';
import { safeJsonParse } from '../../src/core/json.js';

export interface BackendRequest {
  backend: string;
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Pulls the service's own error text out of an error response body. */
  errorDetail: (body: unknown, text: string) => string | undefined;
  /** The environment variable holding the key, named when the key is rejected. */
  keyVariable?: string;
}

export interface BackendResponse {
  json: unknown;
  bytes: number;
}

const ERROR_BODY_CHARS = 300;

/**
 * One JSON request to a search service. Every failure of the service (unreachable, timeout,
 * HTTP error, a body that is not JSON) is an InfraError that names the back end and the URL;
 * the key itself never appears in a message.
 */
export async function requestBackendJson(request: BackendRequest): Promise<BackendResponse> {
  const { backend, url, timeoutMs } = request;
  const where = `${backend} search back end at ${url.origin}${url.pathname}`;
  const signal = withTimeout(request.signal, timeoutMs);
  let response: Response;
  let text: string;
  try {
    const init: RequestInit = { method: request.method, headers: request.headers, signal };
    if (request.body !== undefined) init.body = request.body;
    response = await fetch(url, init);
    text = await response.text();
  } catch (error) {
    // The caller's signal may carry the policy's timeout itself, so the reason decides.
    if (signal.aborted && isTimeoutReason(signal.reason)) {
      const limit = request.signal.aborted ? 'the time limit' : `${timeoutMs} ms`;
      throw new InfraError('SEARCH_BACKEND_ERROR', `${where} did not answer within ${limit}`, {
        details: { backend, url: url.href },
        retryable: true,
        cause: error,
      });
    }
    if (request.signal.aborted) {
      throw new AssayError('ABORTED', `${where}: the search was aborted`, { cause: error });
    }
    throw new InfraError(
      'SEARCH_BACKEND_ERROR',
      `${where} is unreachable: ${networkReason(error)}`,
      {
        details: { backend, url: url.href },
        retryable: true,
        cause: error,
      },
    );
  }
  const bytes = Buffer.byteLength(text);
  const parsed = safeJsonParse(text);
  if (!response.ok) {
    const detail = request.errorDetail(parsed.ok ? parsed.value : undefined, text);
    const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    const hint =
      (response.status === 401 || response.status === 403 || response.status === 422) &&
      request.keyVariable
        ? ` (check ${request.keyVariable})`
        : '';
    throw new InfraError(
      'SEARCH_BACKEND_ERROR',
      `${where} answered ${status}${detail ? `: ${clip(detail)}` : ''}${hint}`,
      {
        details: { backend, url: url.href, status: response.status },
        retryable: response.status === 429 || response.status >= 500,
      },
    );
  }
  if (!parsed.ok) {
    throw new InfraError(
      'SEARCH_BACKEND_ERROR',
      `${where} answered with invalid JSON (${parsed.error}): ${clip(text)}`,
      { details: { backend, url: url.href, status: response.status } },
    );
  }
  return { json: parsed.value, bytes };
}

/** An InfraError for a response whose JSON does not have the service's shape. */
export function unexpectedShape(
  backend: string,
  url: URL,
  what: string,
  problem?: string,
): InfraError {
  return new InfraError(
    'SEARCH_BACKEND_ERROR',
    `${backend} search back end at ${url.origin}${url.pathname} answered without ${what}${problem ? ` (${problem})` : ''}`,
    { details: { backend, url: url.href } },
  );
}

/**
 * Checks a response with the service's zod schema; a response of another shape is an
 * InfraError naming the back end, the URL, what was missing and the first field that is wrong.
 */
export function parseResponse<T>(
  backend: string,
  url: URL,
  json: unknown,
  schema: z.ZodType<T>,
  what: string,
): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw unexpectedShape(backend, url, what, issue ? `${where}${issue.message}` : undefined);
}

/** The service's own error text from an error body, when the body has the schema's shape. */
export function errorBody<T>(schema: z.ZodType<T>, body: unknown): T | undefined {
  const parsed = schema.safeParse(body);
  return parsed.success ? parsed.data : undefined;
}

/** Plain text of a snippet: services put `<strong>` tags and entities into them. */
export function cleanSnippet(value: unknown): string {
  if (typeof value !== 'string') return '';
  return value
    .replace(/<[^>]*>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 400);
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  return cause?.code ?? errorMessage(cause ?? error);
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > ERROR_BODY_CHARS ? `${flat.slice(0, ERROR_BODY_CHARS)}…` : flat;
}
