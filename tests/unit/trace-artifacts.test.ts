import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { InfraError } from '../../src/core/errors.js';
import { storeArtifact } from '../../src/trace/artifacts.js';
import { traceArtifactSchema } from '../../src/trace/schema.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'assay-artifacts-'));
});

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const sha = createHash('sha256').update(png).digest('hex');

describe('storeArtifact', () => {
  it('stores the bytes under their sha256 next to the trace and returns a relative path', async () => {
    const trace = join(dir, 'run.jsonl');
    const stored = await storeArtifact(trace, 't1', {
      name: 'plot.png',
      mime_type: 'image/png',
      data: png,
    });
    expect(stored).toEqual({
      name: 'plot.png',
      mime_type: 'image/png',
      path: `run.artifacts/${sha}.png`,
      sha256: sha,
      bytes: png.byteLength,
    });
    expect(traceArtifactSchema.safeParse(stored).success).toBe(true);
    expect(new Uint8Array(await readFile(join(dir, stored.path)))).toEqual(png);
  });

  it('stores identical bytes once, leaving the first file untouched', async () => {
    const trace = join(dir, 'run.jsonl');
    const first = await storeArtifact(trace, 't1', {
      name: 'a.png',
      mime_type: 'image/png',
      data: png,
    });
    const before = await stat(join(dir, first.path));
    const second = await storeArtifact(trace, 't2', {
      name: 'b.png',
      mime_type: 'image/png',
      data: png,
    });
    expect(second.path).toBe(first.path);
    expect(second.name).toBe('b.png');
    expect((await stat(join(dir, first.path))).mtimeMs).toBe(before.mtimeMs);
    expect(await readdir(join(dir, 'run.artifacts'))).toEqual([`${sha}.png`]);
  });

  it('takes the extension from the MIME type when the name has none, and none when unknown', async () => {
    const trace = join(dir, 'run.jsonl');
    const text = new TextEncoder().encode('a,b\n1,2\n');
    const csv = await storeArtifact(trace, 't', {
      name: 'table',
      mime_type: 'text/csv; charset=utf-8',
      data: text,
    });
    expect(csv.path).toMatch(/\.csv$/);
    const blob = await storeArtifact(trace, 't', {
      name: 'x.<weird>',
      mime_type: 'application/x-thing',
      data: png,
    });
    expect(blob.path).toBe(`run.artifacts/${sha}`);
  });

  it('never lets an artifact name choose where the file goes', async () => {
    const trace = join(dir, 'run.jsonl');
    const stored = await storeArtifact(trace, 't', {
      name: '../../etc/passwd',
      mime_type: 'text/plain',
      data: png,
    });
    expect(stored.path).toBe(`run.artifacts/${sha}.txt`);
  });

  it('uses the whole file name when the trace file does not end in .jsonl', async () => {
    const stored = await storeArtifact(join(dir, 'trace.log'), 't', {
      name: 'p.png',
      mime_type: 'image/png',
      data: png,
    });
    expect(stored.path).toBe(`trace.log.artifacts/${sha}.png`);
  });

  it('leaves no temporary files behind', async () => {
    const trace = join(dir, 'run.jsonl');
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        storeArtifact(trace, `t${i}`, { name: 'same.png', mime_type: 'image/png', data: png }),
      ),
    );
    expect(await readdir(join(dir, 'run.artifacts'))).toEqual([`${sha}.png`]);
  });

  it('names the artifact and the folder when it cannot be stored', async () => {
    const notAFolder = join(dir, 'file');
    await writeFile(notAFolder, 'x');
    const error = await storeArtifact(join(notAFolder, 'run.jsonl'), 't9', {
      name: 'p.png',
      mime_type: 'image/png',
      data: png,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfraError);
    expect((error as InfraError).message).toContain(
      `cannot store artifact "p.png" of trace t9 in ${join(notAFolder, 'run.artifacts')}`,
    );
  });
});
