import { posix } from 'node:path';
import type { Direction } from './command-match.js';

/** The workspace files one call touches, sorted by where they lead. */
export interface TouchedFiles {
  /** Paths relative to `/workspace` (`.` for the root). */
  inside: string[];
  /** Paths that lead outside `/workspace` (the tools refuse them too). */
  outside: string[];
  /** Whether some path could not be read (not a string, a patch without file headers). */
  unreadable: boolean;
}

/**
 * The files a call touches, for `file` conditions: `path` of read_file, write_file and
 * edit_file; every `*** Add/Update/Delete File:` and `*** Move to:` path of an apply_patch
 * patch; the `files` of the `workspace.apply` action. Undefined when the call names no files.
 */
export function touchedFiles(
  tool: string,
  arg: (name: string) => unknown,
): TouchedFiles | undefined {
  let paths: unknown[];
  if (tool === 'apply_patch') {
    const patch = arg('patch');
    if (patch === undefined) return undefined;
    paths = typeof patch === 'string' ? patchPaths(patch) : [null];
    if (paths.length === 0) paths = [null];
  } else if (tool === 'workspace.apply') {
    const files = arg('files');
    if (!Array.isArray(files)) return undefined;
    paths = files;
  } else {
    const path = arg('path');
    if (path === undefined) return undefined;
    paths = [path];
  }
  const out: TouchedFiles = { inside: [], outside: [], unreadable: false };
  for (const path of paths) {
    if (typeof path !== 'string') {
      out.unreadable = true;
      continue;
    }
    const relative = relativePath(path);
    if (relative === null) out.outside.push(path);
    else out.inside.push(relative);
  }
  return out;
}

// The header lines of Codex's patch format; the tool trims the path as this does.
const PATCH_HEADER = /^\*\*\* (?:(?:Add|Delete|Update) File|Move to):(.*)$/gm;

function patchPaths(patch: string): string[] {
  return [...patch.replace(/\r\n/g, '\n').matchAll(PATCH_HEADER)].map((m) => m[1]!.trim());
}

/** The path relative to `/workspace` (`..` resolved as written), or null when it leaves it. */
export function relativePath(path: string): string | null {
  if (path.length === 0 || path.includes('\0')) return null;
  let rest = path;
  if (rest.startsWith('/')) {
    if (rest !== '/workspace' && !rest.startsWith('/workspace/')) return null;
    rest = rest.slice('/workspace'.length);
  }
  const normal = posix.normalize(`./${rest}`).replace(/\/+$/, '');
  if (normal === '..' || normal.startsWith('../')) return null;
  return normal === '' ? '.' : normal;
}

/**
 * A `file` condition's test: globs relative to the workspace, by direction (see
 * command-match.ts). `narrow` holds when any path inside matches or a path cannot be read;
 * `widen` only when every path is readable, inside the workspace and matches.
 */
export function fileTest(
  matches: (path: string) => boolean,
): (files: TouchedFiles, direction: Direction) => boolean {
  return ({ inside, outside, unreadable }, direction) =>
    direction === 'narrow'
      ? unreadable || inside.some(matches)
      : !unreadable && outside.length === 0 && inside.length > 0 && inside.every(matches);
}
