import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LABEL_PID } from '../../sandbox/docker/labels.js';
import { reapOrphans } from '../../sandbox/docker/reaper.js';
import { SandboxManager } from '../../sandbox/docker/sandbox-manager.js';
import { requireDocker } from '../support/docker.js';

const docker = await requireDocker();
const ORPHAN = join(import.meta.dirname, '..', 'support', 'docker-orphan.ts');
const children: ChildProcess[] = [];

/** Starts the orphan script and resolves once its session and pool are up. */
async function startOrphan(): Promise<{ child: ChildProcess; pid: number; container: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ORPHAN], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  const ready = JSON.parse(line) as { pid: number; container: string };
  return { child, ...ready };
}

const containersOf = async (pid: number) => docker.engine.listContainers([`${LABEL_PID}=${pid}`]);

afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe.skipIf(!docker.available)('the reaper', { timeout: 90_000 }, () => {
  afterAll(async () => {
    await reapOrphans(docker.engine);
  });

  it("removes a kill -9'd run's containers when the next run starts", async () => {
    const { child, pid, container } = await startOrphan();
    const before = await containersOf(pid);
    expect(before.map((c) => c.Id)).toContain(container);
    expect(before).toHaveLength(2);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(await containersOf(pid)).toHaveLength(2);

    const next = new SandboxManager({ engine: docker.engine, poolSize: 0 });
    try {
      const state = await next.start();
      // Another run starting at the same time (test files run in parallel) may reap some of
      // them first: what must hold is that none is left and none failed to go.
      expect(state.reaped.failed).toEqual([]);
      expect(await containersOf(pid)).toEqual([]);
    } finally {
      await next.close();
    }
  });

  it('leaves stopped containers, not running ones, when the owner dies without cleaning up', async () => {
    const { child, pid } = await startOrphan();
    child.kill('SIGKILL');
    await once(child, 'exit');
    // The runner reads end-of-file once the attached client is gone, so it exits by itself.
    for (let i = 0; i < 100 && (await containersOf(pid)).some((c) => c.State === 'running'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await containersOf(pid)).map((c) => c.State)).toEqual(['exited', 'exited']);
  });

  it('removes its own containers when the process gets SIGTERM, then dies of it', async () => {
    const { child, pid } = await startOrphan();
    expect(await containersOf(pid)).toHaveLength(2);
    child.kill('SIGTERM');
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await containersOf(pid)).toEqual([]);
  });
});
