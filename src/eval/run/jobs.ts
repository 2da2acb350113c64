import { createHash } from 'node:crypto';
import type { TraceRecord } from '../../trace/schema.js';
import type { Task } from '../task-schema.js';
import type { Arm } from './arms.js';

/** One episode to run: a task in an arm, one of its samples. */
export interface Job {
  task: Task;
  arm: Arm;
  sampleIndex: number;
  /** The attempt this run will write: 0, or one past the attempts already in the traces. */
  attempt: number;
  seed: number;
  groupId: string;
}

/**
 * The GRPO group of a task in an arm within one run: every sample of it shares this id. The
 * run is part of the key, so concatenating the traces of two runs keeps their groups apart
 * (their samples come from different settings or models and must not share an advantage).
 */
export function groupId(runId: string, taskId: string, arm: string): string {
  return createHash('sha256')
    .update(`${runId}\u0000${taskId}\u0000${arm}`)
    .digest('hex')
    .slice(0, 16);
}

export function jobKey(taskId: string, arm: string, sampleIndex: number): string {
  return JSON.stringify([taskId, arm, sampleIndex]);
}

/**
 * The jobs still to do. A (task, arm, sample) is done when its last attempt in the traces is
 * not an infrastructure error, or when it has used all its attempts; a missing line means not
 * done, so a run killed at any point resumes without duplicates or losses.
 */
export function pendingJobs(
  runId: string,
  tasks: readonly Task[],
  arms: readonly Arm[],
  samples: number,
  baseSeed: number,
  existing: readonly TraceRecord[],
  maxAttempts: number,
): { jobs: Job[]; done: number } {
  const attempts = new Map<string, { count: number; last: TraceRecord }>();
  for (const record of existing) {
    if (record.task_id === null || record.arm === null) continue;
    const key = jobKey(record.task_id, record.arm, record.sample_index);
    const seen = attempts.get(key);
    if (!seen) attempts.set(key, { count: 1, last: record });
    else {
      seen.count++;
      if (record.attempt >= seen.last.attempt) seen.last = record;
    }
  }
  const jobs: Job[] = [];
  let done = 0;
  // Samples outermost, so that a partial run covers every task once before repeating any.
  for (let sampleIndex = 0; sampleIndex < samples; sampleIndex++) {
    for (const task of tasks) {
      for (const arm of arms) {
        const seen = attempts.get(jobKey(task.id, arm.name, sampleIndex));
        if (seen && (seen.last.error?.class !== 'infra' || seen.count >= maxAttempts)) {
          done++;
          continue;
        }
        jobs.push({
          task,
          arm,
          sampleIndex,
          attempt: seen ? seen.last.attempt + 1 : 0,
          seed: baseSeed + sampleIndex,
          groupId: groupId(runId, task.id, arm.name),
        });
      }
    }
  }
  return { jobs, done };
}
