import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { defaultCacheDir } from '../../src/core/cache-dir.js';
import { AssayError, errorMessage, InfraError } from '../../src/core/errors.js';
import { pickMirror, readAptSources } from './apt-sources.js';
import { ROOTFS_RECIPE, rootfsHash } from './recipe.js';

export interface RootfsOptions {
  cacheDir?: string;
  /** A Debian mirror URL; default ASSAY_DEBIAN_MIRROR, then the machine's apt sources. */
  mirror?: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Finds a program on PATH or in the sbin folders a non-root PATH often lacks. */
export function findProgram(name: string, env = process.env): string | undefined {
  const dirs = [...(env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}

export function resolveMirror(explicit?: string): string {
  const mirror =
    explicit ??
    process.env['ASSAY_DEBIAN_MIRROR'] ??
    pickMirror(readAptSources(), ROOTFS_RECIPE.suite);
  if (!mirror) {
    throw new InfraError(
      'SANDBOX_IMAGE_MISSING',
      `no Debian mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d; set ASSAY_DEBIAN_MIRROR to one that carries ${ROOTFS_RECIPE.suite}`,
    );
  }
  return mirror;
}

function run(
  program: string,
  args: readonly string[],
  options: { signal?: AbortSignal | undefined; log?: ((line: string) => void) | undefined },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
    });
    let tail = '';
    const onData = (data: Buffer) => {
      const text = data.toString('utf8');
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) options.log?.(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(tail);
      else
        reject(
          new Error(
            `${program} exited with code ${code}: ${tail.trim().split('\n').slice(-8).join('\n')}`,
          ),
        );
    });
  });
}

/** Adds the sandbox user, drops host files debootstrap copied in, and prunes docs and caches. */
async function finishRootfs(root: string): Promise<void> {
  const { user } = ROOTFS_RECIPE;
  const passwd = await readFile(join(root, 'etc/passwd'), 'utf8');
  if (!passwd.split('\n').some((l) => l.startsWith(`${user.name}:`))) {
    await appendFile(
      join(root, 'etc/passwd'),
      `${user.name}:x:${user.uid}:${user.gid}:assay sandbox:${user.home}:/usr/sbin/nologin\n`,
    );
    await appendFile(join(root, 'etc/group'), `${user.name}:x:${user.gid}:\n`);
  }
  await writeFile(join(root, 'etc/hostname'), 'sandbox\n');
  await rm(join(root, 'etc/resolv.conf'), { force: true });
  for (const dir of ROOTFS_RECIPE.prune) {
    await rm(join(root, dir), { recursive: true, force: true });
    await mkdir(join(root, dir), { recursive: true });
  }
  await mkdir(join(root, 'opt/assay'), { recursive: true });
  await mkdir(join(root, user.home.slice(1)), { recursive: true });
}

async function mountsUnder(dir: string): Promise<string[]> {
  const mounts = await readFile('/proc/mounts', 'utf8').catch(() => '');
  return mounts
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/**
 * Removes the build folder, but only once nothing is mounted inside it: an interrupted
 * debootstrap can leave /proc or /dev mounted there, and a recursive delete would reach the host's.
 */
async function removeBuildDir(dir: string): Promise<void> {
  for (const mount of await mountsUnder(dir))
    await run('umount', ['-l', mount], {}).catch(() => undefined);
  const left = await mountsUnder(dir);
  if (left.length > 0)
    throw new Error(
      `file systems are still mounted under ${dir}: ${left.join(', ')}; unmount them, then delete it`,
    );
  await rm(dir, { recursive: true, force: true });
}

/**
 * The root filesystem tarball of the default image, built with debootstrap from the machine's
 * Debian mirror and cached by recipe hash, so a rebuild of the image skips this step.
 */
export async function buildRootfsTarball(options: RootfsOptions = {}): Promise<string> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const target = join(cacheDir, `rootfs-${rootfsHash()}.tar`);
  if (existsSync(target)) return target;
  const debootstrap = findProgram('debootstrap');
  if (!debootstrap) {
    throw new InfraError(
      'SANDBOX_IMAGE_MISSING',
      'debootstrap is not installed; install it with `sudo apt-get install -y debootstrap`, then run `assay sandbox build` again',
    );
  }
  if (process.getuid?.() !== 0) {
    throw new InfraError(
      'SANDBOX_IMAGE_MISSING',
      'building the sandbox root filesystem needs root; run `sudo assay sandbox build`',
    );
  }
  const mirror = resolveMirror(options.mirror);
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(cacheDir, 'rootfs-build-'));
  const root = join(work, 'rootfs');
  try {
    // debootstrap takes the first alternative of every dependency and has no flag to skip one;
    // a suite script that sources the stock one can set EXCLUDE_DEPENDENCY.
    const script = join(work, 'suite-script');
    await writeFile(
      script,
      `. "$DEBOOTSTRAP_DIR/scripts/${ROOTFS_RECIPE.suite}"\nEXCLUDE_DEPENDENCY="\${EXCLUDE_DEPENDENCY:-} ${ROOTFS_RECIPE.excludeDependencies.join(' ')}"\n`,
    );
    options.log?.(`debootstrap ${ROOTFS_RECIPE.suite} from ${mirror} (a few minutes)`);
    await run(
      debootstrap,
      [
        `--variant=${ROOTFS_RECIPE.variant}`,
        `--include=${ROOTFS_RECIPE.packages.join(',')}`,
        ROOTFS_RECIPE.suite,
        root,
        mirror,
        script,
      ],
      { signal: options.signal, log: options.log },
    ).catch((cause: unknown) => {
      if (cause instanceof Error && cause.name === 'AbortError')
        throw new AssayError('ABORTED', 'the build was aborted', { cause });
      throw new InfraError('SANDBOX_IMAGE_MISSING', `debootstrap failed: ${errorMessage(cause)}`, {
        cause,
      });
    });
    if ((await mountsUnder(root)).length > 0)
      throw new Error(`debootstrap left file systems mounted under ${root}`);
    await finishRootfs(root);
    const partial = `${target}.partial`;
    await run('tar', ['--numeric-owner', '-C', root, '-cf', partial, '.'], {
      signal: options.signal,
    });
    await rename(partial, target);
    return target;
  } finally {
    await removeBuildDir(work);
  }
}
