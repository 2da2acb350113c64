/**
 * A process that opens a sandbox session and a warm pool, prints its pid and container id as
 * one JSON line, then waits to be killed: the reaper tests kill it and look for leftovers.
 * With the argument `busy` it then starts a call that ignores the interrupt and spins, so the
 * container is busy when this process is killed.
 */
import { SandboxManager } from '../../sandbox/docker/sandbox-manager.js';

const manager = new SandboxManager({ poolSize: 1, preload: [], reap: false });
const session = await manager.openSession();
await manager.poolSettled();
process.stdout.write(`${JSON.stringify({ pid: process.pid, container: session.container?.id })}\n`);
setInterval(() => undefined, 1 << 30);
if (process.argv.includes('busy')) {
  void session.run(
    'import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass',
    { timeoutMs: 600_000, outputBytes: 1024 },
  );
}
