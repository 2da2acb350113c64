const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const CLEANUP_DEADLINE_MS = 5_000;

const cleanups = new Set<() => Promise<void>>();
let installed = false;

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  // Whether someone else handles this signal is decided now: a `once` listener is gone later.
  const othersListen = process.listenerCount(signal) > 1;
  uninstall();
  const pending = [...cleanups].map((cleanup) => cleanup().catch(() => undefined));
  cleanups.clear();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(pending),
    new Promise((resolve) => {
      timer = setTimeout(resolve, CLEANUP_DEADLINE_MS);
    }),
  ]);
  clearTimeout(timer);
  // With nobody else listening, end the process the way the signal would have without us.
  if (!othersListen) process.kill(process.pid, signal);
}

const handlers = new Map<NodeJS.Signals, () => void>(
  SIGNALS.map((signal) => [signal, () => void onSignal(signal)]),
);

function install(): void {
  if (installed) return;
  installed = true;
  for (const [signal, handler] of handlers) process.on(signal, handler);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const [signal, handler] of handlers) process.off(signal, handler);
}

/**
 * Runs `cleanup` (removing this process's containers) when the process gets SIGINT, SIGTERM or
 * SIGHUP. Returns the function that unregisters it; the handlers go when nothing is registered.
 */
export function onExitSignal(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  install();
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0) uninstall();
  };
}
