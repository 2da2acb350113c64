import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { deadlineSignal, isTimeoutReason, raceAbort } from '../../src/core/abort.js';
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

describe('deadlineSignal, the per-call deadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts with a timeout reason after the time, and then holds no timer or listener', () => {
    vi.useFakeTimers();
    const parent = new AbortController().signal;
    const removed = vi.spyOn(parent, 'removeEventListener');
    const deadline = deadlineSignal(parent, 1_000);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(999);
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.signal.aborted).toBe(true);
    expect(isTimeoutReason(deadline.signal.reason)).toBe(true);
    expect(removed).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("aborts with the parent's reason when the parent aborts first, and clears its timer", () => {
    vi.useFakeTimers();
    const parent = new AbortController();
    const deadline = deadlineSignal(parent.signal, 1_000);
    const reason = new Error('episode stopped');
    parent.abort(reason);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBe(reason);
    expect(isTimeoutReason(deadline.signal.reason)).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is aborted at once when the parent already is', () => {
    const deadline = deadlineSignal(AbortSignal.abort('gone'), 1_000);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBe('gone');
    deadline.clear();
  });

  it('clear() stops the timer and the watch on the parent, and may be called twice', () => {
    vi.useFakeTimers();
    const parent = new AbortController();
    const added = vi.spyOn(parent.signal, 'addEventListener');
    const removed = vi.spyOn(parent.signal, 'removeEventListener');
    const deadline = deadlineSignal(parent.signal, 1_000);
    expect(added).toHaveBeenCalledTimes(1);
    deadline.clear();
    deadline.clear();
    expect(vi.getTimerCount()).toBe(0);
    expect(removed).toHaveBeenCalledWith('abort', added.mock.calls[0]![1]);
    vi.advanceTimersByTime(5_000);
    parent.abort(new Error('late'));
    expect(deadline.signal.aborted).toBe(false);
  });

  it('works without a parent', () => {
    vi.useFakeTimers();
    const deadline = deadlineSignal(undefined, 10);
    vi.advanceTimersByTime(10);
    expect(isTimeoutReason(deadline.signal.reason)).toBe(true);
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
