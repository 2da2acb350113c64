import { spawn } from 'node:child_process';
import { isatty } from 'node:tty';
import { NO_NODE_SNAPSHOT_FLAG, runsWithoutNodeSnapshot } from '../core/node-snapshot.js';

/**
 * The bin starts plain `node`, with Node's start-up snapshot (about 80 ms faster than without).
 * isolated-vm needs `--no-node-snapshot`, so a command that may make JavaScript isolates runs
 * its own command line again in a child Node with that flag: the same Node flags, script and
 * arguments, the same stdio. The parent only waits for it, passes signals on and exits as it did.
 */

/** Whether a command that may make isolates has to run again: this process has the snapshot. */
export function snapshotRerunNeeded(): boolean {
  return !runsWithoutNodeSnapshot() && process.argv[1] !== undefined;
}

/**
 * For commands that may make isolates whatever their flags (`eval`, `worker`: a verifier may
 * use them): the child's exit code when this process had to run the command again, else
 * undefined.
 */
export async function rerunIfSnapshot(): Promise<number | undefined> {
  return snapshotRerunNeeded() ? rerunWithoutSnapshot() : undefined;
}

/** Signals always passed on to the child. SIGINT is passed on only away from a terminal. */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];

/**
 * Runs this process's command line again in `node --no-node-snapshot` and resolves to the
 * child's exit code. A child killed by a signal kills this process with the same signal.
 */
export function rerunWithoutSnapshot(): Promise<number> {
  const script = process.argv[1];
  if (script === undefined) throw new Error('rerunWithoutSnapshot: this process has no script');
  const child = spawn(
    process.execPath,
    [NO_NODE_SNAPSHOT_FLAG, ...process.execArgv, script, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  // At a terminal, Ctrl-C reaches the whole process group, the child included: passing it on
  // would deliver it twice. This process still waits for the child, which decides how to stop.
  // isatty on the descriptors, not process.stdin: that would open stdin in this process too.
  const atTerminal = [0, 1, 2].some((fd) => isatty(fd));
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of [...FORWARDED, 'SIGINT'] as const) {
    const forward = signal !== 'SIGINT' || !atTerminal;
    const handler = () => {
      if (forward && child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  const release = () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      release();
      reject(error);
    });
    child.once('exit', (code, signal) => {
      release();
      if (signal !== null) {
        process.kill(process.pid, signal);
        return;
      }
      resolve(code ?? 1);
    });
  });
}
