import type { LlamaContext } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import {
  firstAfterEachDecodeAlone,
  sampleFirstAlone,
} from '../../src/model/llama-cpp/sampling-guard.js';

/** A stand-in for the native context: each sampling settles when the test says so. */
function fakeNative() {
  const started: { id: unknown; settle: (ok: boolean) => void }[] = [];
  const native = {
    decodes: 0,
    decodeBatch(): Promise<void> {
      native.decodes++;
      return Promise.resolve();
    },
    sampleToken(id: unknown): Promise<unknown> {
      return new Promise((resolve, reject) => {
        started.push({
          id,
          settle: (ok) => (ok ? resolve(id) : reject(new Error(`failed ${String(id)}`))),
        });
      });
    },
  };
  return {
    native,
    started: () => started.map((s) => s.id),
    settle: (i: number, ok = true) => started[i]!.settle(ok),
  };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('sampleFirstAlone', () => {
  it('runs the first sampling after each decode alone, then the rest of that decode together', async () => {
    const fake = fakeNative();
    expect(sampleFirstAlone({ _ctx: fake.native } as unknown as LlamaContext)).toBe(true);
    const ctx = fake.native;

    await ctx.decodeBatch();
    const batch1 = [ctx.sampleToken('a'), ctx.sampleToken('b'), ctx.sampleToken('c')];
    await flush();
    expect(fake.started()).toEqual(['a']);
    fake.settle(0, false); // a failed first sampling still lets the others run
    await flush();
    expect(fake.started()).toEqual(['a', 'b', 'c']);
    fake.settle(1);
    fake.settle(2);
    await expect(batch1[0]).rejects.toThrow('failed a');
    await expect(Promise.all(batch1.slice(1))).resolves.toEqual(['b', 'c']);

    await ctx.decodeBatch();
    expect(ctx.decodes).toBe(2);
    const batch2 = [ctx.sampleToken('d'), ctx.sampleToken('e')];
    await flush();
    expect(fake.started()).toEqual(['a', 'b', 'c', 'd']);
    fake.settle(3);
    await flush();
    expect(fake.started()).toEqual(['a', 'b', 'c', 'd', 'e']);
    fake.settle(4);
    await expect(Promise.all(batch2)).resolves.toEqual(['d', 'e']);
  });

  it('wraps a context once, and leaves a context without the internals alone', () => {
    const fake = fakeNative();
    const context = { _ctx: fake.native } as unknown as LlamaContext;
    sampleFirstAlone(context);
    const wrapped = fake.native.sampleToken;
    expect(sampleFirstAlone(context)).toBe(true);
    expect(fake.native.sampleToken).toBe(wrapped);
    expect(sampleFirstAlone({} as LlamaContext)).toBe(false);
    expect(sampleFirstAlone({ _ctx: { sampleToken() {} } } as unknown as LlamaContext)).toBe(false);
  });

  it('passes arguments and results through, and a synchronous throw as a throw', () => {
    const calls: unknown[][] = [];
    const guarded = firstAfterEachDecodeAlone(
      (...args) => {
        calls.push(['decode', ...args]);
        return 'decoded';
      },
      (...args) => {
        calls.push(['sample', ...args]);
        if (args[0] === 'bad') throw new Error('sync');
        return Promise.resolve(args[0]);
      },
    );
    expect(guarded.decode(1, 2)).toBe('decoded');
    expect(() => guarded.sample('bad')).toThrow('sync');
    expect(calls).toEqual([
      ['decode', 1, 2],
      ['sample', 'bad'],
    ]);
  });
});
