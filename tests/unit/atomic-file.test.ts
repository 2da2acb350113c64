import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** Every path a FileHandle was synced for, in order, recorded by wrapping `open`. */
const synced: string[] = [];

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof actual.open = async (path, ...rest) => {
    const handle = await actual.open(path, ...rest);
    const sync = handle.sync.bind(handle);
    handle.sync = async () => {
      await sync();
      synced.push(String(path));
    };
    return handle;
  };
  return { ...actual, open, default: { ...actual, open } };
});

const { writeFileAtomic, writeJsonAtomic } = await import('../../src/core/atomic-file.js');

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'assay-atomic-'));
  temps.push(dir);
  return dir;
}

afterEach(() => {
  synced.length = 0;
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the atomic write', () => {
  it('fsyncs the new file before the rename and its folder after, for run.json and results.json', async () => {
    const dir = tempDir();
    const path = join(dir, 'results.json');
    writeFileSync(path, '{"old": true}\n');
    await writeJsonAtomic(path, { arms: { tools: { n: 1 } } });
    expect(readFileSync(path, 'utf8')).toBe(
      '{\n  "arms": {\n    "tools": {\n      "n": 1\n    }\n  }\n}\n',
    );
    expect(synced).toHaveLength(2);
    expect(synced[0]).toMatch(/\/\.results\.json\.\d+\.\d+\.tmp$/);
    expect(synced[1]).toBe(dir);
    expect(readdirSync(dir)).toEqual(['results.json']);
  });

  it('leaves the old file whole and no temporary file when the write fails', async () => {
    const dir = tempDir();
    const path = join(dir, 'report.md');
    mkdirSync(path);
    await expect(writeFileAtomic(path, ['new'])).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['report.md']);
  });
});
