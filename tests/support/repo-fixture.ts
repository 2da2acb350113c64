import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A small git repository in a temporary folder, committed, for workspace tests. */
export async function makeRepo(files: Record<string, string>, git = true): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'assay-repo-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  if (git) {
    const run = (...args: string[]) =>
      execFileSync('git', ['-C', dir, ...args], {
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: dir,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@example.com',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@example.com',
        },
      });
    run('init', '-q', '-b', 'main');
    run('add', '-A');
    run('commit', '-q', '-m', 'base');
  }
  return dir;
}

/** A hash of every name, link target and byte under `dir`, to prove a folder did not change. */
export async function treeHash(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const visit = async (rel: string): Promise<void> => {
    const entries = await readdir(join(dir, rel), { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const path = join(rel, entry.name);
      hash.update(`${path}\0`);
      if (entry.isSymbolicLink()) hash.update(await readlink(join(dir, path)));
      else if (entry.isDirectory()) await visit(path);
      else if (entry.isFile()) hash.update(await readFile(join(dir, path)));
    }
  };
  await visit('');
  return hash.digest('hex');
}
