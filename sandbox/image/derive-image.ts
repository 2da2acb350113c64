import { pack } from 'tar-stream';
import { InfraError, UsageError } from '../../src/core/errors.js';
import type { DockerEngine } from '../docker/engine.js';
import {
  RUNNER_COMMAND,
  RUNNER_PATH,
  runnerHash,
  runnerSource,
  SANDBOX_USER,
  VERIFY_PATH,
  verifySource,
  WORKSPACE_DIR,
  WORKSPACE_RUNNER_FILES,
  workspaceRunnerSource,
} from './recipe.js';

/** The label that says which runner an image carries. */
export const LABEL_RUNNER = 'assay.runner';
export const LABEL_SOURCE = 'assay.source';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Where the image keeps a prebuilt matplotlib font cache; the runner copies it to /tmp. */
export const FONT_CACHE_DIR = '/opt/assay/matplotlib';

/** A tar holding the runner and its verification helper at their fixed paths and an empty
 * workspace folder. */
export async function runnerArchive(): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (chunk: unknown) => {
    chunks.push(chunk as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    tar.on('end', resolve);
    tar.on('error', reject);
  });
  const mtime = new Date(0);
  const dir = RUNNER_PATH.slice(1, RUNNER_PATH.lastIndexOf('/'));
  let prefix = '';
  for (const part of dir.split('/')) {
    prefix = prefix ? `${prefix}/${part}` : part;
    tar.entry({ name: `${prefix}/`, type: 'directory', mode: 0o755, mtime });
  }
  tar.entry({ name: RUNNER_PATH.slice(1), mode: 0o644, mtime }, runnerSource());
  tar.entry({ name: VERIFY_PATH.slice(1), mode: 0o644, mtime }, verifySource());
  for (const file of WORKSPACE_RUNNER_FILES) {
    tar.entry({ name: `${dir}/${file}`, mode: 0o644, mtime }, workspaceRunnerSource(file));
  }
  tar.entry({ name: `${WORKSPACE_DIR.slice(1)}/`, type: 'directory', mode: 0o755, mtime });
  tar.finalize();
  await done;
  return Buffer.concat(chunks);
}

/**
 * Runs once in the container that becomes the image: checks the Python version and builds
 * matplotlib's font cache, which each sandbox would otherwise rebuild on first import.
 */
const PREPARE_SCRIPT = `
import os, sys
if sys.version_info < (3, 8):
    sys.exit(3)
try:
    os.makedirs("${FONT_CACHE_DIR}", exist_ok=True)
    os.environ["MPLCONFIGDIR"] = "${FONT_CACHE_DIR}"
    os.environ["MPLBACKEND"] = "Agg"
    import matplotlib.font_manager
except Exception:
    pass
`;

async function prepare(
  engine: DockerEngine,
  id: string,
  image: string,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await engine.startContainer(id, { signal });
  } catch (cause) {
    throw new UsageError(
      'INPUT_INVALID',
      `image ${image} has no python3 on its PATH; the python tool needs one`,
      {
        cause,
      },
    );
  }
  const code = await engine.waitContainer(id, { signal, timeoutMs: 300_000 });
  if (code !== 0) {
    throw new UsageError(
      'INPUT_INVALID',
      `image ${image} cannot run the sandbox runner: it needs python3 >= 3.8`,
    );
  }
}

/**
 * Makes `target` from `source` with the runner copied in (a container runs the preparation
 * script, the runner goes in with putArchive, then commit), so any local image with python3
 * can be a sandbox.
 */
export async function deriveRunnerImage(
  engine: DockerEngine,
  source: string,
  target: string,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<void> {
  const signal = options.signal;
  const info = await engine.inspectImage(source, { signal });
  if (!info) {
    throw new InfraError(
      'SANDBOX_IMAGE_MISSING',
      `image ${source} is not in the Docker engine at ${engine.endpoint}; assay uses no registry, so build or load it locally first (docker build, docker load, or \`assay sandbox build\`)`,
    );
  }
  const hasPath = (info.Config?.Env ?? []).some((e) => e.startsWith('PATH='));
  // No labels here: a commit copies the container's labels into the image and so into every
  // sandbox made from it. The finally below removes the container.
  const id = await engine.createContainer(
    {
      Image: source,
      Entrypoint: [],
      Cmd: ['python3', '-B', '-c', PREPARE_SCRIPT],
      User: '0',
      NetworkDisabled: true,
      HostConfig: { NetworkMode: 'none' },
    },
    { signal },
  );
  try {
    await prepare(engine, id, source, signal);
    await engine.putArchive(id, '/', await runnerArchive(), { signal });
    await engine.commit(
      id,
      target,
      [
        `CMD ${JSON.stringify(RUNNER_COMMAND)}`,
        'ENTRYPOINT []',
        `USER ${SANDBOX_USER}`,
        `WORKDIR ${WORKSPACE_DIR}`,
        ...(hasPath ? [] : [`ENV PATH=${DEFAULT_PATH}`]),
        `LABEL ${LABEL_RUNNER}=${runnerHash()} ${LABEL_SOURCE}=${JSON.stringify(source)}`,
      ],
      { signal, timeoutMs: 300_000 },
    );
  } finally {
    await engine.removeContainer(id).catch(() => undefined);
  }
}
