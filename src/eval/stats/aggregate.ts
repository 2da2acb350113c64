import { UsageError } from '../../core/errors.js';
import type { TraceRecord } from '../../trace/schema.js';
import type { Task } from '../task-schema.js';
import { armResults } from './arm-stats.js';
import type { BootstrapOptions } from './bootstrap.js';
import { pairedResults } from './paired.js';
import type { ArmResults, EvalResults, GroupResults, PairedResults } from './results.js';
import { sampleResults } from './sample-rows.js';
import { latestAttempts } from './samples.js';

export interface AggregateOptions {
  /** Arm names in the order they were given; pairs are (arms[i], arms[j]) for i < j. */
  arms: readonly string[];
  /** The suite's tasks; records of other tasks are ignored. Tags come from here. */
  tasks: readonly Task[];
  runId?: string;
  suite?: unknown;
  model?: unknown;
  /** The run's sampling settings, copied into results.json. */
  sampling?: unknown;
  createdAt?: string;
  bootstrap?: BootstrapOptions;
}

/**
 * Turns trace records into `results.json` (docs/results.md): per arm, per arm pair, and
 * the same per tag. Only the last attempt of each (task, arm, sample_index) counts.
 */
export function aggregate(records: readonly TraceRecord[], options: AggregateOptions): EvalResults {
  if (new Set(options.arms).size !== options.arms.length) {
    throw new UsageError('USAGE', `arms must be distinct (got ${options.arms.join(', ')})`);
  }
  const taskIds = new Set(options.tasks.map((t) => t.id));
  const arms = new Set(options.arms);
  const relevant = records.filter(
    (r) => r.task_id !== null && r.arm !== null && taskIds.has(r.task_id) && arms.has(r.arm),
  );
  const finals = latestAttempts(relevant);
  const bootstrap = options.bootstrap ?? {};
  const overall = groupResults(options.tasks, options.arms, finals, relevant, bootstrap);
  const byTag: Record<string, GroupResults> = {};
  for (const tag of [...new Set(options.tasks.flatMap((t) => t.tags))].sort()) {
    const tagged = options.tasks.filter((t) => t.tags.includes(tag));
    byTag[tag] = groupResults(tagged, options.arms, finals, relevant, bootstrap);
  }
  const first = relevant[0];
  return {
    run_id: options.runId ?? first?.run_id ?? null,
    suite: options.suite ?? null,
    model: options.model ?? first?.model ?? null,
    sampling: options.sampling ?? first?.sampling ?? null,
    created_at: options.createdAt ?? new Date().toISOString(),
    arms: overall.arms,
    paired: overall.paired,
    by_tag: byTag,
    samples: sampleResults(finals),
  };
}

function groupResults(
  tasks: readonly Task[],
  arms: readonly string[],
  finals: readonly TraceRecord[],
  allAttempts: readonly TraceRecord[],
  bootstrap: BootstrapOptions,
): GroupResults {
  const ids = tasks.map((t) => t.id);
  const idSet = new Set(ids);
  const byArm = new Map<string, Map<string, TraceRecord[]>>();
  for (const arm of arms) byArm.set(arm, new Map());
  for (const record of finals) {
    if (!idSet.has(record.task_id!)) continue;
    const tasksOfArm = byArm.get(record.arm!)!;
    const list = tasksOfArm.get(record.task_id!) ?? [];
    list.push(record);
    tasksOfArm.set(record.task_id!, list);
  }
  for (const tasksOfArm of byArm.values()) {
    for (const list of tasksOfArm.values()) list.sort((a, b) => a.sample_index - b.sample_index);
  }
  const armsOut: Record<string, ArmResults> = {};
  for (const arm of arms) {
    const attempts = allAttempts.filter((r) => r.arm === arm && idSet.has(r.task_id!));
    armsOut[arm] = armResults(byArm.get(arm)!, attempts);
  }
  const paired: Record<string, PairedResults> = {};
  for (let i = 0; i < arms.length; i++) {
    for (let j = i + 1; j < arms.length; j++) {
      const a = arms[i]!;
      const b = arms[j]!;
      paired[`${a}_vs_${b}`] = pairedResults(ids, byArm.get(a)!, byArm.get(b)!, bootstrap);
    }
  }
  return { arms: armsOut, paired };
}
