import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { raceAbort } from '../../src/core/abort.js';
import { defaultCacheDir } from '../../src/core/cache-dir.js';
import { errorMessage, UsageError } from '../../src/core/errors.js';
import { readTextLines, type TextLine } from '../../src/core/jsonl.js';

describe('raceAbort', () => {
  it('rejects with the reason as soon as the signal aborts, though the work never settles', async () => {
    const controller = new AbortController();
    const pending = raceAbort(new Promise<never>(() => {}), controller.signal);
    const reason = new Error('stop');
    setTimeout(() => controller.abort(reason), 10);
    await expect(pending).rejects.toBe(reason);
  });

  it('does not start work given as a function once the signal has fired', async () => {
    let started = false;
    const work = async () => {
      started = true;
      return 1;
    };
    await expect(raceAbort(work, AbortSignal.abort('gone'))).rejects.toBe('gone');
    expect(started).toBe(false);
  });

  it('settles as the work does when the signal stays quiet or is absent', async () => {
    const signal = new AbortController().signal;
    await expect(raceAbort(Promise.resolve(7), signal)).resolves.toBe(7);
    await expect(raceAbort(async () => 8, undefined)).resolves.toBe(8);
    await expect(raceAbort(Promise.reject(new Error('own')), signal)).rejects.toThrow('own');
  });
});

describe('errorMessage', () => {
  it('reads the message of an Error and writes any other thrown value as text', () => {
    expect(errorMessage(new TypeError('bad'))).toBe('bad');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});

describe('readTextLines, the one JSONL reader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'assay-lines-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function lines(path: string, noun?: string): Promise<TextLine[]> {
    const out: TextLine[] = [];
    for await (const line of readTextLines(path, noun === undefined ? {} : { noun }))
      out.push(line);
    return out;
  }

  it('drops a byte-order mark, skips blank lines but counts them, and marks a cut-off last line', async () => {
    const path = join(dir, 'a.jsonl');
    writeFileSync(path, '\uFEFF{"a":1}\r\n\n  \n{"b":2}\n{"c":');
    expect(await lines(path)).toEqual([
      { line: 1, text: '{"a":1}', terminated: true },
      { line: 4, text: '{"b":2}', terminated: true },
      { line: 5, text: '{"c":', terminated: false },
    ]);
  });

  it('names the missing or unreadable file, with what it is', async () => {
    const missing = join(dir, 'missing.jsonl');
    await expect(lines(missing)).rejects.toThrow(`file not found: ${missing}`);
    await expect(lines(missing, 'trace file')).rejects.toThrow(`trace file not found: ${missing}`);
    const error = await lines(dir, 'trace file').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toContain(`cannot read trace file ${dir}: `);
  });
});

describe('defaultCacheDir, the one cache folder', () => {
  it('honours ASSAY_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(defaultCacheDir({ ASSAY_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/c');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/assay');
    expect(defaultCacheDir({ HOME: '/h' })).toBe('/h/.cache/assay');
  });
});
