import { isTimeoutReason } from '../../src/core/abort.js';
import { AssayError, errorMessage, InfraError } from '../../src/core/errors.js';

/** The fields docker-modem attaches to the plain errors it throws for HTTP failures. */
interface ModemError {
  statusCode?: number;
  code?: string;
  json?: unknown;
}

/** The HTTP status of a failed engine call, when the engine answered at all. */
export function engineStatus(error: unknown): number | undefined {
  if (error instanceof AssayError) {
    const status = error.details['statusCode'];
    return typeof status === 'number' ? status : undefined;
  }
  const status = (error as ModemError | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'EACCES',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
]);

/** How to get an engine running, for messages that say Docker is missing. */
export const DOCKER_FIX =
  'start one with `sudo dockerd --bridge=none --iptables=false &` (install it with `sudo apt-get install -y docker.io`), or run `bash scripts/ensure-docker.sh`; set DOCKER_HOST to use another engine';

/**
 * Turns what dockerode threw into an AssayError that names the engine and the operation:
 * an unreachable or too slow engine is DOCKER_UNAVAILABLE, an HTTP error keeps its status.
 */
export function mapEngineError(
  error: unknown,
  operation: string,
  endpoint: string,
  signal: AbortSignal,
  timeoutMs: number,
): AssayError {
  if (error instanceof AssayError) return error;
  if (signal.aborted) {
    if (isTimeoutReason(signal.reason)) {
      return new InfraError(
        'DOCKER_UNAVAILABLE',
        `the Docker engine at ${endpoint} did not answer ${operation} within ${timeoutMs} ms`,
        { cause: error, retryable: true, details: { operation, endpoint } },
      );
    }
    return new AssayError('ABORTED', `${operation} was aborted`, { cause: signal.reason });
  }
  const code = (error as ModemError | undefined)?.code;
  if (code && UNREACHABLE.has(code)) {
    return new InfraError(
      'DOCKER_UNAVAILABLE',
      `cannot reach the Docker engine at ${endpoint} (${code}); ${DOCKER_FIX}`,
      { cause: error, retryable: true, details: { operation, endpoint, code } },
    );
  }
  const statusCode = engineStatus(error);
  return new InfraError(
    'SANDBOX_START_FAILED',
    `the Docker engine at ${endpoint} failed ${operation}: ${errorMessage(error).trim()}`,
    { cause: error, details: { operation, endpoint, ...(statusCode ? { statusCode } : {}) } },
  );
}
