import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { streamSource } from '../../sandbox/workspace/source-files.js';
import { CHUNK_BYTES, ChunkPool, tarChunks } from '../../sandbox/workspace/tar-chunks.js';
import { endTar, pushTarEntry, tarEntryBytes } from '../../sandbox/workspace/tar-writer.js';

function fill(bytes: number, seed: number): Buffer {
  const data = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 31 + seed) % 251;
  return data;
}

/** Files of sizes that straddle chunk edges, a long name, a dir and a long link target. */
async function folder() {
  const root = await mkdtemp(join(tmpdir(), 'assay-chunks-'));
  const files = [
    { path: 'a.bin', data: fill(CHUNK_BYTES - 700, 1) },
    { path: `${'n'.repeat(130)}.py`, data: fill(2 * CHUNK_BYTES + 3, 2) },
    { path: 'empty', data: Buffer.alloc(0) },
    { path: 'small.txt', data: fill(513, 3) },
  ];
  for (const f of files) await writeFile(join(root, f.path), f.data);
  const target = `../${'t'.repeat(150)}`;
  const entries = [
    ...files.map((f) => ({
      path: f.path,
      kind: 'file' as const,
      size: f.data.length,
      mode: 0o644,
    })),
    { path: 'd', kind: 'dir' as const, size: 0, mode: 0o755 },
    { path: 'link', kind: 'symlink' as const, size: 0, mode: 0o777, target },
  ];
  // The same archive written one entry at a time by the plain writer.
  const reference: Buffer[] = [];
  for (const f of files)
    pushTarEntry(reference, { kind: 'file', name: f.path, mode: 0o644, data: f.data });
  pushTarEntry(reference, { kind: 'dir', name: 'd' });
  pushTarEntry(reference, { kind: 'symlink', name: 'link', target });
  endTar(reference);
  return { root, files, entries, target, reference: Buffer.concat(reference) };
}

describe('packing a copy straight into chunk buffers', () => {
  it('writes the same bytes as the entry-by-entry writer, in full chunks but the last', async () => {
    const { root, entries, reference } = await folder();
    const length = entries.reduce((n, e) => n + tarEntryBytes({ ...e, name: e.path }), 1024);
    expect(length).toBe(reference.length);
    const chunks = [...tarChunks({ root, entries }, new ChunkPool(), length)];
    expect(chunks.slice(0, -1).every((c) => c.length === CHUNK_BYTES)).toBe(true);
    expect(Buffer.concat(chunks).equals(reference)).toBe(true);
  });

  it('reuses a chunk buffer once it is released, and never one still held', async () => {
    const { root, entries, reference } = await folder();
    const pool = new ChunkPool();
    const held: { chunk: Buffer; copy: Buffer }[] = [];
    const copies: Buffer[] = [];
    for (const chunk of tarChunks({ root, entries }, pool, reference.length)) {
      // Chunks still held keep their bytes while later chunks are packed.
      for (const h of held) expect(h.chunk.equals(h.copy)).toBe(true);
      const copy = Buffer.from(chunk);
      held.push({ chunk, copy });
      copies.push(copy);
      if (held.length === 2) pool.release((held.shift() as { chunk: Buffer }).chunk);
    }
    expect(Buffer.concat(copies).equals(reference)).toBe(true);
    // Four chunks went through two buffers: each released one was packed into again.
    expect(copies.length).toBe(4);
    expect(pool.allocated).toBe(2);
  });

  it('unpacks with GNU tar to the same files, long names and link targets included', async () => {
    const { root, files, entries, target } = await folder();
    const tar = streamSource({ root, entries, bytes: 0, commit: null });
    const chunks: Buffer[] = [];
    for await (const chunk of tar.chunks) {
      chunks.push(Buffer.from(chunk));
      tar.release?.(chunk);
    }
    const whole = Buffer.concat(chunks);
    expect(whole.length).toBe(tar.bytes);
    const out = await mkdtemp(join(tmpdir(), 'assay-unchunk-'));
    execFileSync('tar', ['-x', '-f', '-', '-C', out], { input: whole });
    for (const f of files) expect((await readFile(join(out, f.path))).equals(f.data)).toBe(true);
    expect(await readlink(join(out, 'link'))).toBe(target);
  });

  it('cuts a file that grew after listing at its listed size', async () => {
    const root = await mkdtemp(join(tmpdir(), 'assay-grew-'));
    await writeFile(join(root, 'a.txt'), 'abcdef');
    const tar = streamSource({
      root,
      bytes: 3,
      commit: null,
      entries: [{ path: 'a.txt', kind: 'file', size: 3, mode: 0o644 }],
    });
    const chunks: Buffer[] = [];
    for await (const chunk of tar.chunks) chunks.push(chunk);
    const out = await mkdtemp(join(tmpdir(), 'assay-ungrew-'));
    execFileSync('tar', ['-x', '-f', '-', '-C', out], { input: Buffer.concat(chunks) });
    expect(await readFile(join(out, 'a.txt'), 'utf8')).toBe('abc');
  });
});
