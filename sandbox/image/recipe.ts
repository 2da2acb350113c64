import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';

/**
 * What the default sandbox image is made of. The root filesystem part is hashed on its own so
 * a change to the runner only re-derives the image instead of re-running debootstrap.
 */
export const ROOTFS_RECIPE = Object.freeze({
  version: 1,
  suite: 'bookworm',
  variant: 'minbase',
  packages: [
    'python3',
    'python3-numpy',
    'python3-sympy',
    'python3-matplotlib',
    // fonttools needs "scipy | munkres"; debootstrap always takes the first alternative, and
    // scipy pulls a C++ toolchain (about 1 GB) through pythran. Munkres is 40 kB.
    'python3-munkres',
    // Repository work in coding workspaces: git for diffs, pytest and Node.js for tests.
    'git',
    'python3-pytest',
    'nodejs',
  ],
  excludeDependencies: ['python3-scipy'],
  user: { name: 'sandbox', uid: 1000, gid: 1000, home: '/workspace' },
  prune: [
    'var/cache/apt/archives',
    'var/lib/apt/lists',
    'usr/share/doc',
    'usr/share/man',
    'usr/share/info',
    'usr/share/locale',
  ],
});

/** Where the runner lives inside every image assay runs. */
export const RUNNER_PATH = '/opt/assay/runner.py';
export const WORKSPACE_DIR = '/workspace';
export const SANDBOX_USER = `${ROOTFS_RECIPE.user.uid}:${ROOTFS_RECIPE.user.gid}`;
export const DEFAULT_IMAGE_REPOSITORY = 'assay/python';
export const BASE_IMAGE_REPOSITORY = 'assay/python-base';
export const DERIVED_IMAGE_REPOSITORY = 'assay/python-derived';

/** The command every sandbox container runs: the runner, without writing bytecode. */
export const RUNNER_COMMAND: readonly string[] = Object.freeze(['python3', '-B', RUNNER_PATH]);

/** The verification helper the runner starts for `code_tests` (next to the runner). */
export const VERIFY_PATH = '/opt/assay/verify.py';
/** The workspace runner of coding tools and its patch module, beside the python runner. */
export const WORKSPACE_RUNNER_FILES: readonly string[] = Object.freeze([
  'workspace-runner.py',
  'workspace_patch.py',
]);
export const WORKSPACE_RUNNER_COMMAND: readonly string[] = Object.freeze([
  'python3',
  '-B',
  '/opt/assay/workspace-runner.py',
]);

export function workspaceRunnerSource(file: string): Buffer {
  return readFileSync(join(packageRoot(), 'sandbox', 'image', file));
}

/** The runner's source, as shipped in the package. */
export function runnerSource(): Buffer {
  return readFileSync(join(packageRoot(), 'sandbox', 'image', 'runner.py'));
}

/** The verification helper's source, as shipped in the package. */
export function verifySource(): Buffer {
  return readFileSync(join(packageRoot(), 'sandbox', 'image', 'verify.py'));
}

function shortHash(...parts: (string | Uint8Array)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex').slice(0, 12);
}

export function rootfsHash(): string {
  return shortHash(JSON.stringify(ROOTFS_RECIPE));
}

export function runnerHash(): string {
  return shortHash(
    runnerSource(),
    verifySource(),
    ...WORKSPACE_RUNNER_FILES.map(workspaceRunnerSource),
  );
}

/** `assay/python:<hash>`, the hash covering both the root filesystem recipe and the runner. */
export function defaultImageName(): string {
  return `${DEFAULT_IMAGE_REPOSITORY}:${shortHash(rootfsHash(), runnerHash())}`;
}

export function baseImageName(): string {
  return `${BASE_IMAGE_REPOSITORY}:${rootfsHash()}`;
}

/** The tag of a user image with the runner copied in, keyed by the source image's id. */
export function derivedImageName(sourceImageId: string): string {
  return `${DERIVED_IMAGE_REPOSITORY}:${shortHash(sourceImageId, runnerHash())}`;
}
