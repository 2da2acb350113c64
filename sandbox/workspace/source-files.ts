import { execFile } from 'node:child_process';
import { lstatSync, readlinkSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { UsageError } from '../../src/core/errors.js';
import type { StreamedPayload } from '../docker/json-line-channel.js';
import { ChunkPool, tarChunks } from './tar-chunks.js';
import { endTar, pushTarEntry, TAR_END_BYTES, tarEntryBytes } from './tar-writer.js';

const run = promisify(execFile);

/** Caps on what a workspace copy may hold; past them the copy is refused before it starts. */
export interface CopyLimits {
  maxFiles: number;
  maxBytes: number;
}

export const DEFAULT_COPY_LIMITS: Readonly<CopyLimits> = Object.freeze({
  maxFiles: 20_000,
  maxBytes: 256 * 1024 * 1024,
});

export interface SourceEntry {
  path: string;
  kind: 'file' | 'dir' | 'symlink';
  size: number;
  mode: number;
  target?: string;
}

export interface SourceListing {
  root: string;
  entries: SourceEntry[];
  bytes: number;
  /** HEAD of the repository when DIR is a git work tree, else null. */
  commit: string | null;
}

/**
 * Git on the user's repository, with everything that could run repository code turned off:
 * no hooks, no fsmonitor, no optional locks (so the index is never rewritten).
 */
export async function safeGit(dir: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run(
    'git',
    ['-c', 'core.fsmonitor=false', '-c', 'core.hooksPath=/dev/null', '-C', dir, ...args],
    {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        GIT_OPTIONAL_LOCKS: '0',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_TERMINAL_PROMPT: '0',
        HOME: '/nonexistent',
      },
      maxBuffer: 256 * 1024 * 1024,
      encoding: 'utf8',
    },
  );
  return stdout;
}

async function gitPaths(dir: string): Promise<{ paths: string[]; commit: string | null } | null> {
  try {
    const top = (await safeGit(dir, ['rev-parse', '--show-toplevel'])).trim();
    if (relative(top, dir) !== '') return null;
  } catch {
    return null;
  }
  const [listed, commit] = await Promise.all([
    safeGit(dir, ['ls-files', '-z', '-c', '-o', '--exclude-standard']),
    safeGit(dir, ['rev-parse', '--verify', '-q', 'HEAD'])
      .then((out) => out.trim() || null)
      .catch(() => null),
  ]);
  return { paths: listed.split('\0').filter(Boolean), commit };
}

/** Lists a folder depth-first, stopping once past `stopAt` entries (the cap is then hit). */
async function walk(root: string, dir: string, out: string[], stopAt: number): Promise<void> {
  for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
    if (out.length > stopAt) return;
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    out.push(path);
    if (entry.isDirectory()) await walk(root, path, out, stopAt);
  }
}

function tooMany(root: string, what: string, limit: string): UsageError {
  return new UsageError(
    'INPUT_INVALID',
    `workspace ${root}: ${what}, more than the cap of ${limit}; copy a smaller tree or raise the cap`,
  );
}

/** Refuses a workspace source that is not a directory, before anything is started for it. */
export async function checkSourceDir(root: string): Promise<void> {
  const info = await lstat(root).catch(() => undefined);
  if (!info?.isDirectory())
    throw new UsageError('INPUT_INVALID', `workspace ${root} is not a directory`);
}

/**
 * What a workspace copy of `root` holds: for a git work tree its tracked and untracked-but-not-
 * ignored files plus `.git`, else every file. Symlinks are kept as links (never followed);
 * sockets and pipes are left out. Counts and sizes are checked against the caps first.
 */
export async function listSource(
  root: string,
  limits: CopyLimits = DEFAULT_COPY_LIMITS,
): Promise<SourceListing> {
  await checkSourceDir(root);
  const git = await gitPaths(root);
  const paths: string[] = [];
  if (git) {
    paths.push(...git.paths);
    if ((await lstat(join(root, '.git')).catch(() => undefined))?.isDirectory()) {
      paths.push('.git');
      await walk(root, '.git', paths, limits.maxFiles);
    }
  } else {
    await walk(root, '', paths, limits.maxFiles);
  }
  if (paths.length > limits.maxFiles)
    throw tooMany(root, 'too many files', `${limits.maxFiles} files`);
  const entries: SourceEntry[] = [];
  const dirs = new Set<string>();
  let bytes = 0;
  // Synchronous lstat: thousands of promises cost more than the calls themselves.
  for (const path of paths) {
    if (path.split('/').includes('..') || path.includes(sep === '/' ? '\0' : '\\')) continue;
    const stat = lstatSync(join(root, path), { throwIfNoEntry: false });
    if (!stat) continue;
    // Parent folders of listed files, which git lists only implicitly.
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (!dirs.has(parent)) {
        dirs.add(parent);
        entries.push({ path: parent, kind: 'dir', size: 0, mode: 0o755 });
      }
    }
    if (stat.isSymbolicLink()) {
      entries.push({
        path,
        kind: 'symlink',
        size: 0,
        mode: 0o777,
        target: readlinkSync(join(root, path)),
      });
    } else if (stat.isDirectory()) {
      if (!dirs.has(path)) {
        dirs.add(path);
        entries.push({ path, kind: 'dir', size: 0, mode: 0o755 });
      }
    } else if (stat.isFile()) {
      bytes += stat.size;
      if (bytes > limits.maxBytes)
        throw tooMany(
          root,
          `more than ${limits.maxBytes} bytes of files`,
          `${limits.maxBytes} bytes`,
        );
      entries.push({ path, kind: 'file', size: stat.size, mode: stat.mode & 0o777 });
    }
  }
  return { root, entries, bytes, commit: git?.commit ?? null };
}

/**
 * A tar whose length is known before its bytes are read, so it can be sent as it is packed.
 * `release`, when given, is told when a chunk's bytes were taken (its buffer is then reused).
 */
export type TarStream = StreamedPayload;

/**
 * A tar of the listing, packed as it is sent (`tar-chunks.ts`): files are read one by one, and
 * a file that grew meanwhile is cut at its listed size (the caps were checked against those
 * sizes). The length is fixed by the listing; a file that shrank leaves zero blocks after the end.
 */
export function streamSource(listing: SourceListing): TarStream {
  let bytes = TAR_END_BYTES;
  for (const entry of listing.entries) bytes += tarEntryBytes({ ...entry, name: entry.path });
  const pool = new ChunkPool();
  return {
    bytes,
    chunks: (async function* () {
      yield* tarChunks(listing, pool, bytes);
    })(),
    release: (chunk) => pool.release(chunk),
  };
}

/** The whole tar of the listing in one buffer. */
export async function packSource(listing: SourceListing): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of streamSource(listing).chunks) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A tar of named files (hidden tests), for a verifier's fresh workspace. */
export function packFiles(files: Readonly<Record<string, string>>): Buffer {
  const out: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    if (name.startsWith('/') || name.split('/').includes('..'))
      throw new UsageError(
        'INPUT_INVALID',
        `test file ${name} must be a relative path inside the workspace`,
      );
    pushTarEntry(out, { kind: 'file', name, mode: 0o644, data: Buffer.from(content, 'utf8') });
  }
  endTar(out);
  return Buffer.concat(out);
}
