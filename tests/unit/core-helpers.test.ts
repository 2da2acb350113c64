import { describe, expect, it } from 'vitest';
import { raceAbort } from '../../src/core/abort.js';
import { errorMessage } from '../../src/core/errors.js';

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
