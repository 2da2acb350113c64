import { existsSync, statSync } from 'node:fs';
import { lstat, readdir, realpath } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../../src/core/errors.js';
import { packageRoot } from '../../src/core/package-root.js';

/**
 * The local corpus: a folder of `.md`, `.txt` and `.html` documents that the `local` search
 * back end indexes and that `web_fetch` reads through `corpus://<relative path>` URLs.
 */
export const CORPUS_SCHEME = 'corpus:';

const EXTENSIONS = new Set(['.md', '.markdown', '.txt', '.html', '.htm']);

export interface CorpusFile {
  /** Path relative to the corpus folder, with `/` separators. */
  relPath: string;
  absPath: string;
  mtimeMs: number;
  size: number;
}

export function defaultCorpusDir(): string {
  return join(packageRoot(), 'tools', 'web-search', 'corpus');
}

/** Resolves the corpus folder and checks that it exists, before any search runs. */
export function checkCorpusDir(dir: string | undefined): string {
  const absolute = resolve(dir ?? defaultCorpusDir());
  if (!existsSync(absolute) || !statSync(absolute).isDirectory()) {
    throw new UsageError('FILE_NOT_FOUND', `corpus folder not found: ${absolute}`, {
      details: { corpus: absolute },
    });
  }
  return absolute;
}

export function isCorpusDocument(name: string): boolean {
  return EXTENSIONS.has(extname(name).toLowerCase());
}

export function isHtmlDocument(name: string): boolean {
  const ext = extname(name).toLowerCase();
  return ext === '.html' || ext === '.htm';
}

/**
 * Every document under the folder, sorted by path. Hidden entries and symbolic links are
 * skipped so a link cannot pull files from outside the corpus into the index.
 */
export async function listCorpusFiles(corpusDir: string): Promise<CorpusFile[]> {
  const files: CorpusFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    await Promise.all(
      entries.map(async (entry) => {
        if (entry.name.startsWith('.')) return;
        const absPath = join(dir, entry.name);
        if (entry.isDirectory()) return walk(absPath);
        if (!entry.isFile() || !isCorpusDocument(entry.name)) return;
        const stats = await lstat(absPath);
        const relPath = relative(corpusDir, absPath).split(sep).join('/');
        files.push({ relPath, absPath, mtimeMs: stats.mtimeMs, size: stats.size });
      }),
    );
  };
  await walk(corpusDir);
  return files.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
}

/** The URL of a corpus document, as search results show it and web_fetch reads it. */
export function corpusUrl(relPath: string): string {
  return `corpus://${relPath.split('/').map(encodeURIComponent).join('/')}`;
}

export type CorpusPathResult =
  | { ok: true; absPath: string; relPath: string }
  | { ok: false; message: string };

/**
 * The file a `corpus://` URL names, confined to the corpus folder: no `..` segments, no
 * symbolic links out of it, and only document extensions.
 */
export async function corpusPathFromUrl(url: string, corpusDir: string): Promise<CorpusPathResult> {
  const rest = url.slice('corpus://'.length).split(/[?#]/)[0] ?? '';
  let segments: string[];
  try {
    segments = rest.split('/').map(decodeURIComponent);
  } catch {
    return { ok: false, message: `malformed corpus URL ${url}` };
  }
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\'))) {
    return { ok: false, message: `malformed corpus URL ${url}: use a path inside the corpus` };
  }
  const relPath = segments.join('/');
  if (!isCorpusDocument(relPath)) {
    return { ok: false, message: `${url} is not a corpus document (.md, .txt or .html)` };
  }
  try {
    const root = await realpath(corpusDir);
    const absPath = await realpath(join(root, ...segments));
    if (!absPath.startsWith(root + sep)) {
      return { ok: false, message: `${url} points outside the corpus` };
    }
    return { ok: true, absPath, relPath };
  } catch {
    return { ok: false, message: `no corpus document at ${url}` };
  }
}
