import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { SandboxManager } from '../../sandbox/docker/sandbox-manager.js';
import { buildDefaultImage, prepareCustomImage } from '../../sandbox/image/build-image.js';
import { LABEL_RUNNER } from '../../sandbox/image/derive-image.js';
import { baseImageName, derivedImageName, runnerHash } from '../../sandbox/image/recipe.js';
import { InfraError, UsageError } from '../../src/core/errors.js';
import { requireDocker } from '../support/docker.js';

const docker = await requireDocker();
const PLAIN = `assay-test/plain-python:${process.pid}`;
const NO_PYTHON = `assay-test/no-python:${process.pid}`;

/** An image holding one text file: no shell, no python3. */
async function importImageWithoutPython(): Promise<void> {
  const tar = pack();
  tar.entry({ name: 'hello.txt' }, 'hello\n');
  tar.finalize();
  await docker.engine.importImage(Readable.from(tar), NO_PYTHON);
}

describe.skipIf(!docker.available)('sandbox images', () => {
  const cleanup: string[] = [];

  afterAll(async () => {
    for (const image of cleanup.reverse())
      await docker.engine.removeImage(image).catch(() => undefined);
  });

  it('reuses the built image: a second build does nothing', async () => {
    const result = await buildDefaultImage(docker.engine);
    expect(result).toEqual({ image: docker.image, built: false });
  });

  it('runs a local image without the runner by copying the runner in (--image NAME)', async () => {
    await docker.engine.tagImage(baseImageName(), PLAIN);
    cleanup.push(PLAIN);
    const plain = await docker.engine.inspectImage(PLAIN);
    expect(plain?.Config.Labels?.[LABEL_RUNNER]).toBeUndefined();
    const derived = derivedImageName(plain!.Id);
    cleanup.push(derived);

    const manager = new SandboxManager({ engine: docker.engine, image: PLAIN, poolSize: 0 });
    try {
      const state = await manager.start();
      expect(state.image).toBe(derived);
      const session = await manager.openSession();
      const outcome = await session.run('import os\nos.getuid(), 6 * 7', {
        timeoutMs: 10_000,
        outputBytes: 100,
      });
      expect(outcome.value).toBe('(1000, 42)');
      await session.close();
    } finally {
      await manager.close();
    }
    expect((await docker.engine.inspectImage(derived))?.Config.Labels?.[LABEL_RUNNER]).toBe(
      runnerHash(),
    );
    expect(await prepareCustomImage(docker.engine, PLAIN)).toEqual({
      image: derived,
      built: false,
    });
  });

  it('refuses an image without python3, saying so', async () => {
    await importImageWithoutPython();
    cleanup.push(NO_PYTHON);
    const error = await prepareCustomImage(docker.engine, NO_PYTHON).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      `image ${NO_PYTHON} has no python3 on its PATH; the python tool needs one`,
    );
  });

  it('says an image is missing and that no registry is used', async () => {
    const manager = new SandboxManager({
      engine: docker.engine,
      image: 'assay-test/never-built:1',
      poolSize: 0,
    });
    const error = await manager.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfraError);
    expect(error).toMatchObject({ code: 'SANDBOX_IMAGE_MISSING' });
    expect((error as Error).message).toMatch(
      /assay-test\/never-built:1 is not in the Docker engine .* no registry/,
    );
    await manager.close();
  });
});
