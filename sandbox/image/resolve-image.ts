import { InfraError } from '../../src/core/errors.js';
import type { DockerEngine } from '../docker/engine.js';
import { prepareCustomImage } from './build-image.js';
import { LABEL_RUNNER } from './derive-image.js';
import { defaultImageName, runnerHash } from './recipe.js';

export interface ResolvedImage {
  /** The image containers are created from. */
  image: string;
  /** Names of the variables the image defines, which its containers may carry. */
  envNames: string[];
}

/**
 * The image sandboxes run: the default `assay/python:<hash>` (never built implicitly: that
 * takes minutes and root), or a user image with the runner copied in on first use.
 */
export async function resolveSandboxImage(
  engine: DockerEngine,
  requested: string | undefined,
  signal?: AbortSignal,
): Promise<ResolvedImage> {
  let image = requested ?? defaultImageName();
  let info = await engine.inspectImage(image, { signal });
  if (!requested && !info) {
    throw new InfraError(
      'SANDBOX_IMAGE_MISSING',
      `the sandbox image ${image} is not in the Docker engine at ${engine.endpoint}; build it with \`assay sandbox build\` (needs root, debootstrap and a Debian mirror)`,
    );
  }
  if (requested && info?.Config?.Labels?.[LABEL_RUNNER] !== runnerHash()) {
    image = (await prepareCustomImage(engine, requested, { signal })).image;
    info = await engine.inspectImage(image, { signal });
  }
  const envNames = (info?.Config?.Env ?? []).map((e) => e.slice(0, e.indexOf('=')));
  return { image, envNames };
}
