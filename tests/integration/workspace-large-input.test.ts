import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LABEL_PID } from '../../sandbox/docker/labels.js';
import {
  DIFF_FILE_MAX_BYTES,
  DIFF_INLINE_BYTES,
  DIFF_MAX_BYTES,
  Workspace,
} from '../../sandbox/workspace/workspace.js';
import { requireDocker } from '../support/docker.js';
import { makeRepo, treeHash } from '../support/repo-fixture.js';

const docker = await requireDocker();

describe.skipIf(!docker.available)('a workspace given large inputs', { timeout: 240_000 }, () => {
  let workspace: Workspace | undefined;
  afterEach(async () => {
    await workspace?.close();
    workspace = undefined;
  });

  it('copies every byte value of a binary file through the channel unchanged', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919 + (i >> 11)) % 256;
    // Ctrl-P Ctrl-Q is Docker's detach sequence on an attached stdin: it must pass as data.
    data.set([0x10, 0x11, 0x10, 0x11], 4096);
    const dir = await makeRepo({ 'a.txt': 'a\n' });
    await writeFile(join(dir, 'blob.bin'), data);
    workspace = await Workspace.open(dir, { engine: docker.engine });
    const sum = await workspace.session.bash('sha256sum blob.bin', 30_000, 4096);
    const expected = execFileSync('sha256sum', [join(dir, 'blob.bin')])
      .toString()
      .split(' ')[0];
    expect(sum.stdout.split(' ')[0]).toBe(expected);
    expect((await workspace.finish()).files_changed).toEqual([]);
  });

  it('contains a 1 GB file written by bash and leaves it out of the diff by name and size', async () => {
    const dir = await makeRepo({ 'calc.py': 'x = 1\n' });
    const before = await treeHash(dir);
    workspace = await Workspace.open(dir, { engine: docker.engine });
    const wrote = await workspace.session.bash(
      'head -c 1G /dev/zero > big; echo "exit $?"; stat -c %s big',
      120_000,
      4096,
    );
    // The file-size limit (512 MB) stops the write long before the 1 GB tmpfs fills.
    expect(wrote.stderr).toMatch(/File size limit exceeded|No space left on device/);
    const size = Number(wrote.stdout.trim().split('\n').pop());
    expect(size).toBeGreaterThan(DIFF_FILE_MAX_BYTES);
    expect(size).toBeLessThanOrEqual(512 * 1024 * 1024);
    await workspace.session.tool('write_file', { path: 'calc.py', content: 'x = 2\n' });
    const summary = await workspace.finish();
    expect(summary.files_changed).toEqual(['calc.py']);
    expect(summary.files_omitted).toEqual([{ path: 'big', bytes: size }]);
    expect(summary.diff_bytes).toBeLessThan(4096);
    expect(workspace.incomplete).toBe(
      `big (${size} bytes) is past the ${DIFF_FILE_MAX_BYTES}-byte file cap`,
    );
    expect(() => workspace?.completeDiff()).toThrow(
      `--apply: the diff of ${dir} is incomplete (big (${size} bytes) is past the ${DIFF_FILE_MAX_BYTES}-byte file cap); nothing was applied`,
    );
    expect(await treeHash(dir)).toBe(before);
  });

  it('caps a 200 MB diff: 64 kB inline, a full copy cut at a file boundary, apply refused', async () => {
    const dir = await makeRepo({ 'a.txt': 'a\n' });
    workspace = await Workspace.open(dir, { engine: docker.engine });
    // 20 new text files of 10 MB each: each under the per-file cap, 200 MB of diff together.
    const made = await workspace.session.bash(
      'for i in $(seq -w 1 20); do yes "line $i of a generated file" | head -c 10M > gen$i.txt; done; du -sh .',
      180_000,
      4096,
    );
    expect(made.exit_code).toBe(0);
    const summary = await workspace.finish();
    expect(summary.diff_bytes).toBeGreaterThan(200 * 1024 * 1024);
    expect(summary.diff_truncated).toBe(true);
    expect(Buffer.byteLength(summary.diff)).toBeLessThanOrEqual(DIFF_INLINE_BYTES);
    expect(summary.files_changed).toHaveLength(20);
    const full = workspace.fullDiff;
    expect(Buffer.byteLength(full)).toBeLessThanOrEqual(DIFF_MAX_BYTES);
    expect(Buffer.byteLength(full)).toBeGreaterThan(DIFF_MAX_BYTES - 11 * 1024 * 1024);
    expect(full.startsWith('diff --git a/gen01.txt b/gen01.txt\n')).toBe(true);
    // What is kept is whole files: git can check it as a patch on its own.
    const scratch = await mkdtemp(join(tmpdir(), 'assay-cut-'));
    await writeFile(join(scratch, 'cut.diff'), full);
    execFileSync('git', ['apply', '--check', 'cut.diff'], { cwd: scratch });
    expect(workspace.incomplete).toMatch(
      new RegExp(`^the diff is ${summary.diff_bytes} bytes, cut at ${DIFF_MAX_BYTES} bytes$`),
    );
    expect(() => workspace?.completeDiff()).toThrow(/is incomplete .*nothing was applied/);
  });

  it('refuses a .tar workspace with a ".." entry or one written through its own symlink', async () => {
    const root = await mkdtemp(join(tmpdir(), 'assay-eviltar-'));
    const { pushTarEntry, endTar } = await import('../../sandbox/workspace/tar-writer.js');
    const data = Buffer.from('owned\n');
    const cases = [
      [{ kind: 'file', name: '../escape.txt', mode: 0o644, data }],
      [
        { kind: 'symlink', name: 'link', target: '/tmp' },
        { kind: 'file', name: 'link/evil.txt', mode: 0o644, data },
      ],
    ] as const;
    for (const [i, entries] of cases.entries()) {
      const blocks: Buffer[] = [];
      for (const entry of entries) pushTarEntry(blocks, entry);
      endTar(blocks);
      const tar = join(root, `evil${i}.tar`);
      await writeFile(tar, Buffer.concat(blocks));
      await expect(Workspace.open(tar, { engine: docker.engine })).rejects.toThrow(
        /^the workspace copy failed: tar: [\s\S]*(Member name contains '\.\.'|Cannot open: Not a directory)/,
      );
    }
  });

  it('closes the container it started while a folder over the file cap was being listed', async () => {
    const files = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}.txt`, `${i}\n`]));
    const dir = await makeRepo(files);
    const ours = async () =>
      (
        await docker.engine.docker.listContainers({
          all: true,
          filters: { label: [`${LABEL_PID}=${process.pid}`] },
        })
      ).map((c) => c.Id);
    const before = new Set(await ours());
    await expect(
      Workspace.open(dir, { engine: docker.engine, copyLimits: { maxFiles: 10 } }),
    ).rejects.toThrow(`workspace ${dir}: too many files, more than the cap of 10 files`);
    expect((await ours()).filter((id) => !before.has(id))).toEqual([]);
  });

  it('refuses a .tar workspace of 100,000 files before starting a container', async () => {
    const root = await mkdtemp(join(tmpdir(), 'assay-manytar-'));
    const blocks: Buffer[] = [];
    const { pushTarEntry, endTar } = await import('../../sandbox/workspace/tar-writer.js');
    for (let i = 0; i < 100_000; i++)
      pushTarEntry(blocks, { kind: 'file', name: `f${i}`, mode: 0o644, data: Buffer.alloc(0) });
    endTar(blocks);
    const tar = join(root, 'many.tar');
    await writeFile(tar, Buffer.concat(blocks));
    const before = await docker.engine.docker.listContainers({ all: true });
    await expect(Workspace.open(tar, { engine: docker.engine })).rejects.toThrow(
      `workspace ${tar}: 100000 files, more than the cap of 20000; copy a smaller tree or raise the cap`,
    );
    const after = await docker.engine.docker.listContainers({ all: true });
    expect(after.length).toBeLessThanOrEqual(before.length);
  });
});
