import { DockerEngine } from '../../sandbox/docker/engine.js';
import { defaultImageName } from '../../sandbox/image/recipe.js';
import { errorMessage } from '../../src/core/errors.js';

export interface DockerStatus {
  available: boolean;
  /** Why the Docker tests are skipped; empty when they run. */
  reason: string;
  engine: DockerEngine;
  /** The default sandbox image the tests use. */
  image: string;
}

/**
 * Whether the Docker tests can run: an engine answers and the sandbox image is built. When not,
 * the tests are skipped with the reason printed, except under `CI=true`, where this throws so
 * the test file fails instead of passing silently.
 */
export async function requireDocker(): Promise<DockerStatus> {
  const engine = new DockerEngine({ callTimeoutMs: 5_000 });
  const image = defaultImageName();
  let reason = '';
  try {
    await engine.ping();
    if (!(await engine.inspectImage(image))) {
      reason = `the sandbox image ${image} is missing; run \`bash scripts/ensure-docker.sh\` or \`assay sandbox build\``;
    }
  } catch (error) {
    reason = `no Docker engine answers at ${engine.endpoint} (${errorMessage(error)}); run \`bash scripts/ensure-docker.sh\``;
  }
  if (reason && process.env['CI'] === 'true')
    throw new Error(`Docker tests cannot run under CI=true: ${reason}`);
  if (reason) console.warn(`skipping Docker tests: ${reason}`);
  return { available: reason === '', reason, engine, image };
}
