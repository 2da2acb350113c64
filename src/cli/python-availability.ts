import type { DockerEngine } from '../../sandbox/docker/engine.js';
import { defaultImageName } from '../../sandbox/image/recipe.js';
import { AssayError, errorMessage } from '../core/errors.js';

/** Whether the python tool's sandbox can start, and if not, what is wrong and how to fix it. */
export type PythonSandboxStatus =
  | { usable: true; endpoint: string; image: string }
  | {
      usable: false;
      code: 'DOCKER_UNAVAILABLE' | 'SANDBOX_IMAGE_MISSING';
      endpoint: string;
      image: string;
      /** What is wrong, naming the engine address or the image. */
      problem: string;
      /** What the user can do about it. */
      fix: string;
    };

export interface PythonSandboxCheckOptions {
  /** `--image`; default the image `assay sandbox build` makes. */
  image?: string | undefined;
  /** The engine to ask; default DOCKER_HOST or the local socket. */
  engine?: DockerEngine;
  /** The deadline of each engine call: a missing engine must not hold up the command. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 2_000;

/**
 * Asks the Docker engine, under a short deadline, whether it answers and has the sandbox image.
 * It does not start a container: that is the python tool's job, on the model's first call.
 */
export async function checkPythonSandbox(
  options: PythonSandboxCheckOptions = {},
): Promise<PythonSandboxStatus> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Loaded here so that a tool list without python never pays for dockerode.
  const engine =
    options.engine ??
    new (await import('../../sandbox/docker/engine.js')).DockerEngine({ callTimeoutMs: timeoutMs });
  const image = options.image ?? defaultImageName();
  const base = { endpoint: engine.endpoint, image };
  const noEngine = (error: unknown) => ({
    ...base,
    usable: false as const,
    code: 'DOCKER_UNAVAILABLE' as const,
    problem: engineFault(error, engine.endpoint, timeoutMs),
    fix: 'start Docker or set DOCKER_HOST, then run `assay sandbox build`',
  });
  try {
    await engine.ping({ timeoutMs });
  } catch (error) {
    return noEngine(error);
  }
  let present: boolean;
  try {
    present = (await engine.inspectImage(image, { timeoutMs })) !== undefined;
  } catch (error) {
    return noEngine(error);
  }
  if (present) return { ...base, usable: true };
  return {
    ...base,
    usable: false,
    code: 'SANDBOX_IMAGE_MISSING',
    problem: `image ${image} not found in the Docker engine at ${engine.endpoint}`,
    fix:
      options.image === undefined
        ? 'run `assay sandbox build`'
        : `build or load ${image} locally (no registry is used)`,
  };
}

/** What went wrong with the engine, naming its address: the socket error, the status, or the deadline. */
function engineFault(error: unknown, endpoint: string, timeoutMs: number): string {
  if (error instanceof AssayError) {
    const { code, statusCode } = error.details;
    if (typeof code === 'string') return `no Docker engine answers at ${endpoint} (${code})`;
    if (typeof statusCode === 'number')
      return `${endpoint} does not answer like a Docker engine (HTTP ${statusCode})`;
    if (error.code === 'DOCKER_UNAVAILABLE')
      return `no Docker engine answers at ${endpoint} within ${timeoutMs} ms`;
  }
  return `no Docker engine answers at ${endpoint} (${errorMessage(error).split(';')[0]})`;
}
