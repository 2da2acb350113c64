import type { EvalProgress } from '../eval/run/runner.js';

/**
 * The workers of a `--queue` run and their rates, from the `runtime.worker` of the records as
 * they arrive: "workers: gpu-1 2.1/s · gpu-2 1.9/s".
 */
export function createWorkerRates(now: () => number = Date.now): (p: EvalProgress) => string {
  const started = now();
  const counts = new Map<string, number>();
  let seen: unknown;
  return (progress) => {
    const last = progress.last;
    if (last !== undefined && last !== seen) {
      seen = last;
      const worker = last.runtime['worker'] as { name?: unknown } | undefined;
      const name = typeof worker?.name === 'string' ? worker.name : '?';
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    if (counts.size === 0) return '';
    const seconds = Math.max(1, (now() - started) / 1000);
    const rates = [...counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, n]) => `${name} ${(n / seconds).toFixed(1)}/s`);
    return `  workers: ${rates.join(' · ')}`;
  };
}
