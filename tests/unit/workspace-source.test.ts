import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSource, packSource } from '../../sandbox/workspace/source-files.js';
import { makeRepo } from '../support/repo-fixture.js';

describe('the workspace copy of a host folder', () => {
  it('takes tracked and untracked files and .git, but not ignored ones', async () => {
    const dir = await makeRepo({ 'a.py': 'x = 1\n', '.gitignore': 'build/\n*.log\n' });
    await writeFile(join(dir, 'new.py'), 'y = 2\n');
    await writeFile(join(dir, 'debug.log'), 'noise\n');
    await mkdir(join(dir, 'build'));
    await writeFile(join(dir, 'build', 'out.bin'), 'bin');
    const listing = await listSource(dir);
    const paths = listing.entries.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['a.py', 'new.py', '.gitignore', '.git', '.git/HEAD']),
    );
    expect(paths).not.toContain('debug.log');
    expect(paths).not.toContain('build/out.bin');
    expect(listing.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('keeps a symlink as a link and never reads what it points at', async () => {
    const dir = await makeRepo({ 'a.txt': 'a' }, false);
    await symlink('/etc/shadow', join(dir, 'shadow'));
    const listing = await listSource(dir);
    expect(listing.entries.find((e) => e.path === 'shadow')).toEqual({
      path: 'shadow',
      kind: 'symlink',
      size: 0,
      mode: 0o777,
      target: '/etc/shadow',
    });
    expect((await packSource(listing)).includes(Buffer.from('root:'))).toBe(false);
  });

  it('refuses a 1 GB file before copying anything, naming the folder and the cap', async () => {
    const dir = await makeRepo({}, false);
    const big = join(dir, 'big.bin');
    await writeFile(big, '');
    await truncate(big, 1024 * 1024 * 1024);
    await expect(listSource(dir)).rejects.toThrow(
      `workspace ${dir}: more than 268435456 bytes of files, more than the cap of 268435456 bytes; copy a smaller tree or raise the cap`,
    );
  });

  it('refuses 100,000 files before copying anything', { timeout: 60_000 }, async () => {
    const dir = await makeRepo({}, false);
    for (let d = 0; d < 100; d++) {
      const sub = join(dir, `d${d}`);
      await mkdir(sub);
      await Promise.all(Array.from({ length: 1000 }, (_, i) => writeFile(join(sub, `f${i}`), '')));
    }
    await expect(listSource(dir)).rejects.toThrow(
      `workspace ${dir}: too many files, more than the cap of 20000 files; copy a smaller tree or raise the cap`,
    );
  });

  it('refuses a folder that does not exist', async () => {
    await expect(listSource('/nonexistent/repo')).rejects.toThrow(
      'workspace /nonexistent/repo is not a directory',
    );
  });
});
