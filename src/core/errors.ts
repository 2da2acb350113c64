/**
 * The one error base class of assay. Every error the runtime throws is an AssayError with a
 * machine-readable `code`; subclasses say whose fault it is, which decides the exit code and
 * the `error.class` recorded in a trace.
 */

export type ErrorClass = 'infra' | 'model' | 'tool' | 'policy' | 'verifier' | 'harness';

export type ErrorCode =
  | 'USAGE'
  | 'INPUT_INVALID'
  | 'FILE_NOT_FOUND'
  | 'TRACE_INVALID'
  | 'TRACE_WRITE_FAILED'
  | 'POLICY_INVALID'
  | 'SUITE_INVALID'
  | 'MODEL_UNREACHABLE'
  | 'MODEL_HTTP_ERROR'
  | 'MODEL_TIMEOUT'
  | 'MODEL_BAD_RESPONSE'
  | 'MODEL_NOT_CONFIGURED'
  | 'DOCKER_UNAVAILABLE'
  | 'SANDBOX_IMAGE_MISSING'
  | 'SANDBOX_START_FAILED'
  | 'SANDBOX_TIMEOUT'
  | 'SANDBOX_CRASHED'
  | 'WORKSPACE_DIFF_TOO_LARGE'
  | 'SEARCH_BACKEND_ERROR'
  | 'FETCH_BLOCKED'
  | 'ISOLATE_FAILED'
  | 'MCP_SERVER_FAILED'
  | 'ABORTED'
  | 'VERIFIER_FAILED'
  | 'QUEUE_UNREACHABLE'
  | 'QUEUE_JOB_FAILED'
  | 'QUEUE_TOOL_MISSING'
  | 'INTERNAL';

export interface AssayErrorOptions {
  details?: Record<string, unknown>;
  retryable?: boolean;
  cause?: unknown;
}

export class AssayError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly retryable: boolean;
  /** Which side is at fault, as recorded in `trace.error.class`. */
  readonly errorClass: ErrorClass = 'harness';
  /** The process exit code the CLI uses when this error ends a command. */
  readonly exitCode: number = 1;

  constructor(code: ErrorCode, message: string, options: AssayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
    this.retryable = options.retryable ?? false;
  }
}

/** Bad input from the user: a flag, a file, a policy. Exit code 2. */
export class UsageError extends AssayError {
  override readonly exitCode = 2;
}

/** The machinery around the model is broken: server down, Docker gone. Exit code 3. */
export class InfraError extends AssayError {
  override readonly errorClass = 'infra';
  override readonly exitCode = 3;
}

/** The model did something the loop cannot turn into a tool message. */
export class ModelBehaviorError extends AssayError {
  override readonly errorClass = 'model';
}

/** A verifier failed to run (not: the answer was wrong). */
export class VerifierError extends AssayError {
  override readonly errorClass = 'verifier';
}

export function isAssayError(value: unknown): value is AssayError {
  return value instanceof AssayError;
}

/** The message of any thrown value, for places that must not throw again. */
export function errorMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
