import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../../src/core/errors.js';
import type { DockerEngine } from '../docker/engine.js';
import { type PrefetchedTar, prefetch } from './prefetch.js';
import {
  type CopyLimits,
  checkSourceDir,
  DEFAULT_COPY_LIMITS,
  listSource,
  type SourceListing,
  streamSource,
} from './source-files.js';
import { countTarEntries } from './tar-writer.js';
import { WorkspaceSession } from './workspace-session.js';

/** Diff text kept inline in a trace record; the whole diff goes to an artifact. */
export const DIFF_INLINE_BYTES = 64 * 1024;
/** The most diff fetched from a container at all: a bigger diff is reported, not carried. */
export const DIFF_MAX_BYTES = 32 * 1024 * 1024;
/** A new file past this size is left out of the diff and listed in `files_omitted`. */
export const DIFF_FILE_MAX_BYTES = 16 * 1024 * 1024;

/** The trace record's optional `workspace` object. */
export type WorkspaceSummary = {
  source: string;
  base: { commit: string | null; tree: string };
  diff: string;
  diff_truncated: boolean;
  diff_bytes: number;
  files_changed: string[];
  diff_stats: { files: number; insertions: number; deletions: number };
  /** New files too large for the diff, by name and size (absent when none). */
  files_omitted?: { path: string; bytes: number }[] | undefined;
};

export interface OpenWorkspaceOptions {
  engine?: DockerEngine;
  image?: string | undefined;
  copyLimits?: Partial<CopyLimits>;
  signal?: AbortSignal | undefined;
  /** Record the copy as the base of a diff (default); a grader that never diffs skips it. */
  base?: boolean;
  /** Where the container comes from (a spare started ahead); default a new one. */
  startSession?: () => Promise<WorkspaceSession>;
}

/**
 * A copy of a host folder in a fresh workspace container. The host folder is only read: the
 * copy is packed on the host (symlinks kept as links, never followed) and unpacked inside.
 */
export class Workspace {
  readonly source: string;
  readonly commit: string | null;
  readonly files: number;
  readonly session: WorkspaceSession;
  /** The diff in full, once `finish` has run (cut at a file boundary past DIFF_MAX_BYTES). */
  fullDiff = '';
  /** Why `fullDiff` is not the whole change (cut, or new files left out), or null when it is. */
  incomplete: string | null = null;

  private constructor(
    source: string,
    commit: string | null,
    files: number,
    session: WorkspaceSession,
  ) {
    this.source = source;
    this.commit = commit;
    this.files = files;
    this.session = session;
  }

  static async open(dir: string, options: OpenWorkspaceOptions = {}): Promise<Workspace> {
    const source = resolve(dir);
    const limits = { ...DEFAULT_COPY_LIMITS, ...options.copyLimits };
    // A `.tar` (e.g. `git archive` of a base commit) is copied as it is. A folder is listed
    // (and its caps checked) while the container starts; the copy is then packed and sent
    // while it is still being packed, so the container unpacks as the host reads files. A
    // listing over the caps closes the container it started.
    const isTar = source.endsWith('.tar');
    if (!isTar) await checkSourceDir(source);
    const starting = options.startSession
      ? options.startSession()
      : WorkspaceSession.start({
          ...(options.engine ? { engine: options.engine } : {}),
          image: options.image,
          signal: options.signal,
        });
    let listing: SourceListing | null = null;
    let tar: Buffer | PrefetchedTar;
    try {
      listing = isTar ? null : await listSource(source, limits);
      tar = listing ? prefetch(streamSource(listing)) : await readTarSource(source, limits);
    } catch (error) {
      await starting.then((session) => session.close()).catch(() => undefined);
      throw error;
    }
    let session: WorkspaceSession;
    try {
      session = await starting;
    } catch (error) {
      if (!Buffer.isBuffer(tar)) tar.stop();
      throw error;
    }
    try {
      const uploaded = await session.upload(tar, { base: options.base ?? true });
      if (uploaded.files > limits.maxFiles)
        throw new UsageError(
          'INPUT_INVALID',
          `workspace ${source}: ${uploaded.files} files, more than the cap of ${limits.maxFiles}`,
        );
      return new Workspace(source, listing?.commit ?? null, uploaded.files, session);
    } catch (error) {
      await session.close();
      // A file that could not be read fails the send; report the file, not the channel.
      let packError: unknown;
      if (!Buffer.isBuffer(tar)) {
        tar.stop();
        packError = await tar.packed.then(
          () => undefined,
          (e: unknown) => e,
        );
      }
      throw packError ?? error;
    }
  }

  /** The agent's changes as a git diff against the copy it started from. */
  async finish(): Promise<WorkspaceSummary> {
    const result = await this.session.diff(DIFF_MAX_BYTES, DIFF_FILE_MAX_BYTES);
    this.fullDiff = result.diff;
    const reasons = [
      ...(result.truncated
        ? [`the diff is ${result.diff_bytes} bytes, cut at ${DIFF_MAX_BYTES} bytes`]
        : []),
      ...result.omitted.map(
        (f) => `${f.path} (${f.bytes} bytes) is past the ${DIFF_FILE_MAX_BYTES}-byte file cap`,
      ),
    ];
    this.incomplete = reasons.length > 0 ? reasons.join('; ') : null;
    const inline = Buffer.from(result.diff).subarray(0, DIFF_INLINE_BYTES).toString('utf8');
    return {
      source: this.source,
      base: { commit: this.commit, tree: result.base },
      diff: inline,
      diff_truncated: result.truncated || Buffer.byteLength(result.diff) > DIFF_INLINE_BYTES,
      diff_bytes: result.diff_bytes,
      files_changed: result.files_changed,
      diff_stats: {
        files: result.files_changed.length,
        insertions: result.insertions,
        deletions: result.deletions,
      },
      ...(result.omitted.length > 0 ? { files_omitted: result.omitted } : {}),
    };
  }

  /** The diff to apply to the host folder; an incomplete one is refused, never half-applied. */
  completeDiff(): string {
    if (this.incomplete !== null)
      throw new UsageError(
        'INPUT_INVALID',
        `--apply: the diff of ${this.source} is incomplete (${this.incomplete}); nothing was applied`,
      );
    return this.fullDiff;
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

async function readTarSource(path: string, limits: CopyLimits): Promise<Buffer> {
  const maxBytes = limits.maxBytes;
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError('INPUT_INVALID', `workspace ${path} is not a file`);
  if (info.size > maxBytes)
    throw new UsageError(
      'INPUT_INVALID',
      `workspace ${path}: ${info.size} bytes, more than the cap of ${maxBytes} bytes`,
    );
  const tar = await readFile(path);
  const entries = countTarEntries(tar);
  if (entries > limits.maxFiles)
    throw new UsageError(
      'INPUT_INVALID',
      `workspace ${path}: ${entries} files, more than the cap of ${limits.maxFiles}; copy a smaller tree or raise the cap`,
    );
  return tar;
}
