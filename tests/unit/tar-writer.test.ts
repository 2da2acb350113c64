import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packFiles, packSource, streamSource } from '../../sandbox/workspace/source-files.js';
import { endTar, pushTarEntry } from '../../sandbox/workspace/tar-writer.js';

/** Unpacks with the system's GNU tar, the same program the workspace runner uses. */
async function unpack(tar: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'assay-untar-'));
  const file = join(dir, '..', `${dir.split('/').pop()}.tar`);
  await writeFile(file, tar);
  execFileSync('tar', ['-x', '-f', file, '-C', dir]);
  return dir;
}

describe('the workspace tar writer', () => {
  it('writes names and link targets longer than 100 bytes, which ustar alone cannot hold', async () => {
    const longDir = `${'d'.repeat(90)}/${'é'.repeat(40)}`;
    const longName = `${longDir}/${'f'.repeat(120)}.py`;
    const target = `../${'t'.repeat(150)}`;
    const out: Buffer[] = [];
    pushTarEntry(out, { kind: 'dir', name: 'd'.repeat(90) });
    pushTarEntry(out, { kind: 'dir', name: longDir });
    pushTarEntry(out, { kind: 'file', name: longName, mode: 0o755, data: Buffer.from('x = 1\n') });
    pushTarEntry(out, { kind: 'symlink', name: 'link', target });
    endTar(out);
    const dir = await unpack(Buffer.concat(out));
    expect(await readFile(join(dir, longName), 'utf8')).toBe('x = 1\n');
    expect(await readlink(join(dir, 'link'))).toBe(target);
    const listed = execFileSync('tar', ['-t', '-v', '-f', '-'], { input: Buffer.concat(out) });
    expect(listed.toString()).toContain('-rwxr-xr-x 0/0');
  });

  it('carries every byte value unchanged, including ones a terminal would treat as keys', async () => {
    const data = Buffer.alloc(70_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 256;
    data.set([0x10, 0x11, 0x03, 0x04], 100);
    const out: Buffer[] = [];
    pushTarEntry(out, { kind: 'dir', name: 'bin' });
    pushTarEntry(out, { kind: 'file', name: 'bin/all.dat', mode: 0o644, data });
    endTar(out);
    const dir = await unpack(Buffer.concat(out));
    expect(await readFile(join(dir, 'bin/all.dat'))).toEqual(data);
  });

  it('refuses hidden test files that would leave the workspace', () => {
    expect(() => packFiles({ '../escape.py': 'x' })).toThrow(
      'test file ../escape.py must be a relative path inside the workspace',
    );
  });

  it('packs a folder listing that the system tar unpacks to the same files', async () => {
    const root = await mkdtemp(join(tmpdir(), 'assay-pack-'));
    await writeFile(join(root, 'a.py'), 'print(1)\n');
    await writeFile(join(root, 'empty'), '');
    const tar = await packSource({
      root,
      bytes: 9,
      commit: null,
      entries: [
        { path: 'a.py', kind: 'file', size: 9, mode: 0o644 },
        { path: 'empty', kind: 'file', size: 0, mode: 0o644 },
      ],
    });
    expect(tar.length % 512).toBe(0);
    const dir = await unpack(tar);
    expect(await readFile(join(dir, 'a.py'), 'utf8')).toBe('print(1)\n');
    expect(await readFile(join(dir, 'empty'), 'utf8')).toBe('');
  });

  it('announces the exact length of a streamed tar before reading any file, long names included', async () => {
    const root = await mkdtemp(join(tmpdir(), 'assay-stream-'));
    const long = `${'n'.repeat(150)}.py`;
    await writeFile(join(root, long), 'a'.repeat(700));
    await writeFile(join(root, 'b.py'), 'b\n');
    const tar = streamSource({
      root,
      bytes: 702,
      commit: null,
      entries: [
        { path: long, kind: 'file', size: 700, mode: 0o644 },
        { path: 'b.py', kind: 'file', size: 2, mode: 0o644 },
        { path: 'link', kind: 'symlink', size: 0, mode: 0o777, target: 't'.repeat(120) },
      ],
    });
    const chunks: Buffer[] = [];
    for await (const chunk of tar.chunks) chunks.push(chunk);
    const whole = Buffer.concat(chunks);
    expect(whole.length).toBe(tar.bytes);
    const dir = await unpack(whole);
    expect(await readFile(join(dir, long), 'utf8')).toBe('a'.repeat(700));
    expect(await readlink(join(dir, 'link'))).toBe('t'.repeat(120));
  });

  it('keeps the announced length when a file shrank after listing, padding after the end', async () => {
    const root = await mkdtemp(join(tmpdir(), 'assay-shrank-'));
    await writeFile(join(root, 'a.py'), 'x\n');
    const tar = streamSource({
      root,
      bytes: 5000,
      commit: null,
      entries: [{ path: 'a.py', kind: 'file', size: 5000, mode: 0o644 }],
    });
    const chunks: Buffer[] = [];
    for await (const chunk of tar.chunks) chunks.push(chunk);
    const whole = Buffer.concat(chunks);
    expect(whole.length).toBe(tar.bytes);
    expect(await readFile(join(await unpack(whole), 'a.py'), 'utf8')).toBe('x\n');
  });
});
