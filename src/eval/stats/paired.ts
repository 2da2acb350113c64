import type { TraceRecord } from '../../trace/schema.js';
import { type BootstrapOptions, pairedBootstrapCi } from './bootstrap.js';
import { mcnemarExact } from './mcnemar.js';
import { mean } from './percentile.js';
import type { PairedResults } from './results.js';
import { taskAccuracy } from './samples.js';

/**
 * Compares two arms on the tasks both scored. Each task's accuracy is the mean over its
 * scored samples in that arm. `diff` is the mean of (first − second) over tasks, with a
 * paired bootstrap interval that resamples tasks.
 *
 * McNemar's exact test is run on tasks, not samples: a task is discordant when its accuracy
 * differs between the arms, `b` counts tasks where the first arm did better and `c` where the
 * second did. With one sample per task this is exactly McNemar's test on right/wrong pairs;
 * with more it is the exact sign test on per-task accuracies. Pairing samples instead would
 * treat a task's repeated samples as independent and overstate significance.
 */
export function pairedResults(
  taskIds: readonly string[],
  first: ReadonlyMap<string, readonly TraceRecord[]>,
  second: ReadonlyMap<string, readonly TraceRecord[]>,
  bootstrap: BootstrapOptions,
): PairedResults {
  const differences: number[] = [];
  const discordant: string[] = [];
  let b = 0;
  let c = 0;
  for (const id of taskIds) {
    const a = taskAccuracy(first.get(id));
    const z = taskAccuracy(second.get(id));
    if (a === null || z === null) continue;
    differences.push(a - z);
    if (a > z) b++;
    if (a < z) c++;
    if (a !== z) discordant.push(id);
  }
  return {
    n_pairs: differences.length,
    diff: mean(differences),
    diff_ci95: pairedBootstrapCi(differences, bootstrap),
    mcnemar: mcnemarExact(b, c),
    discordant,
  };
}
