import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineStatus } from '../../sandbox/docker/docker-errors.js';
import { LABEL_MANAGED, LABEL_PID, LABEL_SESSION } from '../../sandbox/docker/labels.js';
import { SandboxManager } from '../../sandbox/docker/sandbox-manager.js';
import type { SandboxSession } from '../../sandbox/docker/sandbox-session.js';
import { requireDocker } from '../support/docker.js';

const docker = await requireDocker();

describe.skipIf(!docker.available)('a sandbox session', () => {
  let manager: SandboxManager;
  let session: SandboxSession;
  const run = (code: string, timeoutMs = 10_000) =>
    session.run(code, { timeoutMs, outputBytes: 4096 });

  beforeAll(async () => {
    manager = new SandboxManager({ engine: docker.engine, poolSize: 1, preload: [] });
    session = await manager.openSession();
  });

  afterAll(async () => {
    await session?.close();
    await manager?.close();
  });

  it('keeps variables, imports and functions between calls', async () => {
    await run('import math\ncount = 41\ndef bump(n):\n    return n + 1');
    const outcome = await run('bump(count) * math.factorial(1)');
    expect(outcome).toMatchObject({ status: 'ok', value: '42' });
  });

  it('returns stdout and stderr separately and the value of the last expression', async () => {
    const outcome = await run(
      'import sys\nprint("to out")\nprint("to err", file=sys.stderr)\n"last"',
    );
    expect(outcome.stdout).toEqual({
      head: 'to out\n',
      tail: '',
      total_bytes: 7,
      dropped_bytes: 0,
    });
    expect(outcome.stderr.head).toBe('to err\n');
    expect(outcome.value).toBe("'last'");
  });

  it('captures output written by subprocesses at the file-descriptor level', async () => {
    const outcome = await run('import os\nos.system("echo from-shell; echo shell-err >&2")');
    expect(outcome.stdout.head).toBe('from-shell\n');
    expect(outcome.stderr.head).toBe('shell-err\n');
  });

  it('reports an exception with its type, message and a traceback trimmed to the user code', async () => {
    const outcome = await run('def f(x):\n    return 1 / x\nf(0)');
    expect(outcome.status).toBe('error');
    expect(outcome.error).toMatchObject({ type: 'ZeroDivisionError', message: 'division by zero' });
    expect(outcome.error?.traceback).toMatch(
      /^Traceback \(most recent call last\):\n {2}File "<cell-\d+>", line 3/,
    );
    expect(outcome.error?.traceback).toContain('return 1 / x');
    expect(outcome.error?.traceback).not.toContain('runner.py');
  });

  it('reports a syntax error without any traceback frames', async () => {
    const outcome = await run('def broken(:\n    pass');
    expect(outcome.status).toBe('error');
    expect(outcome.error?.type).toBe('SyntaxError');
    expect(outcome.error?.traceback).not.toContain('Traceback');
  });

  it('returns a matplotlib figure as a PNG', async () => {
    const outcome = await run(
      'import matplotlib.pyplot as plt\nplt.plot([1, 4, 9])\nplt.title("squares")\nNone',
      30_000,
    );
    expect(outcome.status).toBe('ok');
    expect(outcome.figures).toHaveLength(1);
    expect(outcome.figures[0]?.name).toBe('figure-1.png');
    expect(outcome.figures[0]?.data.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    const again = await run('1');
    expect(again.figures).toEqual([]);
  });

  it('returns files created or changed in the workspace, and not unchanged ones', async () => {
    const first = await run(
      'open("data.csv", "w").write("a,b\\n1,2\\n")\nimport os\nos.makedirs("out", exist_ok=True)\nopen("out/n.txt", "w").write("x")',
    );
    expect(first.files.map((f) => [f.name, f.data.toString()])).toEqual([
      ['data.csv', 'a,b\n1,2\n'],
      ['out/n.txt', 'x'],
    ]);
    const second = await run('open("out/n.txt", "a").write("y")');
    expect(second.files.map((f) => [f.name, f.data.toString()])).toEqual([['out/n.txt', 'xy']]);
  });

  it('interrupts code at its timeout and keeps the state defined before it', async () => {
    const outcome = await run('before_sleep = "kept"\nimport time\ntime.sleep(60)', 1_000);
    expect(outcome.status).toBe('timeout');
    expect(outcome.lost).toBeUndefined();
    expect((await run('before_sleep')).value).toBe("'kept'");
  });

  it('kills code that ignores the interrupt, then restarts and says state was lost', async () => {
    await run('marker = 1');
    const container = session.container;
    const outcome = await run(
      'import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(60)',
      1_000,
    );
    expect(outcome.status).toBe('killed');
    expect(outcome.lost).toMatch(/timeout/);
    const next = await run('"marker" in globals()');
    expect(next.value).toBe('False');
    expect(next.restartedAfter).toMatch(/ignored the interrupt/);
    expect(session.container?.id).not.toBe(container?.id);
    const gone = await docker.engine.inspectContainer(container!.id).catch((e: unknown) => e);
    expect(engineStatus(gone)).toBe(404);
  });

  it('reports a crash and recovers when its container is removed from outside mid-call', async () => {
    await run('survivor = 1');
    const id = session.container!.id;
    const call = run('import time\ntime.sleep(30)', 60_000);
    await new Promise((r) => setTimeout(r, 300));
    await docker.engine.removeContainer(id);
    const outcome = await call;
    expect(outcome.status).toBe('crashed');
    const next = await run('"survivor" in globals()');
    expect(next.value).toBe('False');
    expect(next.restartedAfter).toBe('the sandbox crashed');
  });

  it('labels its containers with the owner process and session', async () => {
    const info = await docker.engine.inspectContainer(session.container!.id);
    expect(info.Config.Labels).toMatchObject({
      [LABEL_MANAGED]: 'true',
      [LABEL_PID]: String(process.pid),
      [LABEL_SESSION]: session.container!.sessionId,
    });
  });

  it('gives each session its own container from the pool and removes it when the session closes', async () => {
    await manager.poolSettled();
    expect(manager.pool?.readyCount).toBe(1);
    const other = await manager.openSession();
    const id = other.container!.id;
    expect(id).not.toBe(session.container!.id);
    expect(
      (await other.run('"count" in globals()', { timeoutMs: 5_000, outputBytes: 100 })).value,
    ).toBe('False');
    await other.close();
    expect(engineStatus(await docker.engine.inspectContainer(id).catch((e: unknown) => e))).toBe(
      404,
    );
  });

  it('removes pooled and live containers when the manager closes', async () => {
    await manager.poolSettled();
    const ids = async () =>
      (await docker.engine.listContainers([`${LABEL_PID}=${process.pid}`])).map((c) => c.Id).sort();
    const before = new Set(await ids());
    const own = new SandboxManager({
      engine: docker.engine,
      poolSize: 1,
      preload: [],
      reap: false,
    });
    await own.openSession();
    await own.poolSettled();
    // A refill that failed (a container start timing out on a loaded machine) is retried by the
    // next take(); this test is about close(), so it fills the pool again itself.
    for (let tries = 0; tries < 5 && own.pool?.readyCount !== 1; tries++) {
      own.pool?.fill();
      await own.poolSettled();
    }
    expect(own.pool?.readyCount, `the pool did not fill: ${String(own.pool?.lastError)}`).toBe(1);
    // Compared as sets of ids: a container an earlier test closed may still be on its way out
    // when `before` is read, and must not be counted against this manager.
    const made = (await ids()).filter((id) => !before.has(id));
    expect(made).toHaveLength(2);
    await own.close();
    expect((await ids()).filter((id) => made.includes(id))).toEqual([]);
  });
});
