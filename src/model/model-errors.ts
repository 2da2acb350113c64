import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { AssayError, errorMessage, InfraError } from '../core/errors.js';
import { parseRetryAfter } from './retry.js';

/** What an error message needs to name the thing that failed. */
export interface ModelEndpoint {
  baseURL: string;
  model: string;
  timeoutMs: number;
}

export interface FailureContext {
  /** The caller's signal: its abort is the caller's choice, not a fault. */
  callerSignal: AbortSignal | undefined;
  /** True when assay's own per-request timer fired. */
  timedOut: boolean;
  /** The raw body of an HTTP error response, when it was captured. */
  errorBody?: string | undefined;
}

/** Thrown by the provider when a 200 response is not a chat completion. */
export class BadResponse extends Error {}

const EXCERPT_CHARS = 300;

/**
 * Maps anything a model request can throw to an AssayError. Retryable (connection refused
 * or dropped, 408/409/429, 5xx) errors carry `retryable: true` and, for HTTP errors, the
 * server's `retry-after` as `details.retryAfterMs`; `withRetry` reads both.
 */
export function toModelError(
  error: unknown,
  endpoint: ModelEndpoint,
  context: FailureContext,
): AssayError {
  if (error instanceof AssayError) return error;
  const { baseURL } = endpoint;
  if (context.callerSignal?.aborted) {
    return new AssayError('ABORTED', `the request to ${baseURL} was aborted`, {
      cause: context.callerSignal.reason,
    });
  }
  if (context.timedOut || error instanceof APIConnectionTimeoutError) {
    return new InfraError(
      'MODEL_TIMEOUT',
      `the model server at ${baseURL} timed out after ${endpoint.timeoutMs} ms without a response (model "${endpoint.model}")`,
      { cause: error, details: { baseURL, timeoutMs: endpoint.timeoutMs } },
    );
  }
  if (error instanceof APIConnectionError) {
    const code = causeCode(error);
    return new InfraError(
      'MODEL_UNREACHABLE',
      `cannot reach the model server at ${baseURL}${code ? ` (${code})` : ''}: is it running, and is the base URL right?`,
      { cause: error, retryable: true, details: { baseURL, code } },
    );
  }
  if (error instanceof APIError) return httpError(error, endpoint, context.errorBody);
  if (error instanceof BadResponse || error instanceof SyntaxError) {
    return new InfraError(
      'MODEL_BAD_RESPONSE',
      `the model server at ${baseURL} sent a response that is not a chat completion: ${error.message}`,
      { cause: error, details: { baseURL } },
    );
  }
  if (isNetworkError(error)) {
    return new InfraError(
      'MODEL_UNREACHABLE',
      `the connection to the model server at ${baseURL} broke in the middle of a response`,
      { cause: error, retryable: true, details: { baseURL, code: causeCode(error) } },
    );
  }
  return new AssayError('INTERNAL', `model request to ${baseURL} failed: ${errorMessage(error)}`, {
    cause: error,
  });
}

function httpError(error: APIError, endpoint: ModelEndpoint, body: string | undefined): InfraError {
  const { baseURL, model } = endpoint;
  const status = error.status;
  const excerpt = bodyExcerpt(body ?? errorText(error));
  const details: Record<string, unknown> = { baseURL, status, body: excerpt };
  if (status === undefined) {
    return new InfraError(
      'MODEL_HTTP_ERROR',
      `the model server at ${baseURL} reported an error in the stream: ${excerpt}`,
      { cause: error, details },
    );
  }
  const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
  if (retryable) {
    const retryAfterMs = error.headers
      ? parseRetryAfter((name) => error.headers?.get(name))
      : undefined;
    if (retryAfterMs !== undefined) details['retryAfterMs'] = retryAfterMs;
  }
  let message = `the model server at ${baseURL} answered HTTP ${status} for model "${model}": ${excerpt}`;
  if (status === 404) {
    message =
      `model "${model}" not found at ${baseURL} (HTTP 404: ${excerpt}); ` +
      `list the server's models with \`curl ${baseURL}/models\` (Ollama: \`ollama list\`, ` +
      `\`ollama pull ${model}\`) and check that the base URL ends in /v1`;
  } else if (status === 401 || status === 403) {
    message += '; pass the key with --api-key or ASSAY_API_KEY';
  } else if (/does not support tools|requires --jinja/i.test(excerpt)) {
    message += '; try --tool-format prompted';
  }
  return new InfraError('MODEL_HTTP_ERROR', message, { cause: error, retryable, details });
}

/** The error text the openai client kept, when the raw body was not captured. */
function errorText(error: APIError): string {
  if (error.error !== undefined) {
    const inner = (error.error as Record<string, unknown>)['message'];
    return typeof inner === 'string' ? inner : JSON.stringify(error.error);
  }
  return error.message;
}

function bodyExcerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty body)';
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat;
}

/** Errors fetch and undici raise when a socket fails: TypeErrors and `UND_ERR_*`/`E*` codes. */
function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TypeError' && /terminated|fetch failed|network|socket/i.test(error.message)) {
    return true;
  }
  const code = causeCode(error);
  return code !== undefined && /^(UND_ERR|E[A-Z]+$)/.test(code);
}

/** The first `code` (ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET …) along the cause chain. */
function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
