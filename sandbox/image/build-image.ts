import { createReadStream } from 'node:fs';
import type { DockerEngine } from '../docker/engine.js';
import { deriveRunnerImage } from './derive-image.js';
import { baseImageName, defaultImageName, derivedImageName } from './recipe.js';
import { buildRootfsTarball } from './rootfs.js';

export interface BuildImageOptions {
  cacheDir?: string;
  mirror?: string;
  /** Rebuild the image (and re-import the base) even when present. The rootfs cache is kept. */
  force?: boolean;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface BuildImageResult {
  image: string;
  /** False when the image was already there and nothing was done. */
  built: boolean;
}

/**
 * Builds `assay/python:<hash>` without a registry: a debootstrap root filesystem (cached as a
 * tarball) imported as the base image, then the runner copied in. Quick when the image exists.
 */
export async function buildDefaultImage(
  engine: DockerEngine,
  options: BuildImageOptions = {},
): Promise<BuildImageResult> {
  const image = defaultImageName();
  const signal = options.signal;
  if (!options.force && (await engine.inspectImage(image, { signal })))
    return { image, built: false };
  const base = baseImageName();
  if (options.force || !(await engine.inspectImage(base, { signal }))) {
    const tarball = await buildRootfsTarball({
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
      ...(options.mirror ? { mirror: options.mirror } : {}),
      ...(signal ? { signal } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    options.log?.(`importing ${tarball} as ${base}`);
    await engine.importImage(createReadStream(tarball), base, { signal, timeoutMs: 900_000 });
  }
  options.log?.(`copying the runner into ${image}`);
  await deriveRunnerImage(engine, base, image, { signal });
  return { image, built: true };
}

/**
 * Makes a user image usable as a sandbox by copying the runner in; reused while the image and
 * the runner are unchanged. Returns the derived image's name.
 */
export async function prepareCustomImage(
  engine: DockerEngine,
  source: string,
  options: { signal?: AbortSignal | undefined; force?: boolean } = {},
): Promise<BuildImageResult> {
  const info = await engine.inspectImage(source, { signal: options.signal });
  const target = info ? derivedImageName(info.Id) : source;
  if (info && !options.force && (await engine.inspectImage(target, { signal: options.signal }))) {
    return { image: target, built: false };
  }
  await deriveRunnerImage(engine, source, target, { signal: options.signal });
  return { image: target, built: true };
}
