import { afterAll, describe, expect, it } from 'vitest';
import { SandboxManager } from '../../sandbox/docker/sandbox-manager.js';
import { IsolateSession } from '../../sandbox/isolate/isolate-session.js';
import type { CodeSession, SandboxRunOptions } from '../../src/core/sandbox-session.js';
import { requireDocker } from '../support/docker.js';

const docker = await requireDocker();

/** Two runs sharing state, then the session is released by `await using`: code that sees only the interface. */
async function twoRuns<O extends SandboxRunOptions, R>(
  open: () => Promise<CodeSession<O, R>>,
  first: string,
  second: string,
  options: O,
): Promise<{ outcome: R; session: CodeSession<O, R> }> {
  await using session = await open();
  await session.run(first, options);
  return { outcome: await session.run(second, options), session };
}

describe('the one sandbox session interface', () => {
  it('runs code in a V8 isolate, keeps state between runs and closes with await using', async () => {
    const { outcome, session } = await twoRuns(
      () => IsolateSession.create({ memoryMb: 32 }),
      'var n = 41;',
      'n + 1',
      { timeoutMs: 2_000, cpuMs: 2_000, outputBytes: 1_000 },
    );
    expect(outcome).toMatchObject({ ok: true, value: { kind: 'value', value: 42 } });
    expect((session as IsolateSession).disposed).toBe(true);
    expect(
      await session.run('1', { timeoutMs: 1_000, cpuMs: 1_000, outputBytes: 100 }),
    ).toMatchObject({ ok: false, error: { code: 'ISOLATE_DISPOSED' } });
  });

  describe.skipIf(!docker.available)('with Docker', () => {
    const manager = new SandboxManager({ engine: docker.engine, poolSize: 0, preload: [] });
    afterAll(async () => {
      await manager.close();
    });

    it('runs Python in a container through the same interface and removes it on close', async () => {
      const { outcome, session } = await twoRuns(() => manager.openSession(), 'n = 41', 'n + 1', {
        timeoutMs: 10_000,
        outputBytes: 1_000,
      });
      expect(outcome).toMatchObject({ status: 'ok', value: '42' });
      await expect(session.run('1', { timeoutMs: 1_000, outputBytes: 100 })).rejects.toThrow(
        /closed/,
      );
    });
  });
});
