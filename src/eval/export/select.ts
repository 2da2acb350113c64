import type { TraceRecord } from '../../trace/schema.js';
import { CORRECT_THRESHOLD } from '../stats/samples.js';

export type OnlyFilter = 'all' | 'passed' | 'failed';
export type GroupFilter = 'all' | 'with-variance';

export interface SelectOptions {
  only?: OnlyFilter;
  groups?: GroupFilter;
}

export interface SelectionCounts {
  /** Records read, after keeping only the last attempt of each sample. */
  records: number;
  /** Left out because their last attempt ended in an infra error (reward null). */
  infra_errors: number;
  /** Left out because nothing scored them (a verifier error, a harness error, no verifier). */
  unscored: number;
  /** Left out because the model produced no turn to train on. */
  no_completion: number;
  /** Left out by `--only` or `--groups`. */
  filtered: number;
  selected: number;
}

/**
 * Chooses the records to export. A record without a reward is never exported (an infra
 * error is not a zero-reward sample). `groups: with-variance` keeps only GRPO groups
 * (`group_id`) whose scored samples do not all have the same reward, since a group with no
 * spread gives every sample a zero advantage; a record without a group is a group of one.
 * `only` then keeps passed (reward ≥ 0.5) or failed samples.
 */
export function selectRecords(
  all: readonly TraceRecord[],
  options: SelectOptions = {},
): { records: TraceRecord[]; counts: SelectionCounts } {
  const records = lastAttempts(all);
  const counts: SelectionCounts = {
    records: records.length,
    infra_errors: 0,
    unscored: 0,
    no_completion: 0,
    filtered: 0,
    selected: 0,
  };
  const scored: TraceRecord[] = [];
  for (const record of records) {
    if (record.reward !== null) scored.push(record);
    else if (record.error?.class === 'infra') counts.infra_errors++;
    else counts.unscored++;
  }
  const varied = options.groups === 'with-variance' ? groupsWithVariance(scored) : null;
  const selected: TraceRecord[] = [];
  for (const record of scored) {
    const passed = (record.reward ?? 0) >= CORRECT_THRESHOLD;
    const keepGroup = varied === null || (record.group_id !== null && varied.has(record.group_id));
    const keepOutcome =
      options.only === 'passed' ? passed : options.only === 'failed' ? !passed : true;
    if (!keepGroup || !keepOutcome) counts.filtered++;
    else if (!record.messages.some((m) => m.role === 'assistant')) counts.no_completion++;
    else selected.push(record);
  }
  counts.selected = selected.length;
  return { records: selected, counts };
}

function groupsWithVariance(records: readonly TraceRecord[]): Set<string> {
  const rewards = new Map<string, Set<number>>();
  for (const record of records) {
    if (record.group_id === null || record.reward === null) continue;
    const set = rewards.get(record.group_id) ?? new Set<number>();
    set.add(record.reward);
    rewards.set(record.group_id, set);
  }
  return new Set([...rewards].filter(([, set]) => set.size > 1).map(([id]) => id));
}

/**
 * One record per sample: the highest attempt of each (run, task, arm, sample_index), and for
 * strategy arms of each episode of the decision (its `strategy` role and index), so that
 * every vote sample, judge and review round is a rollout of its own. Records outside an eval
 * (no task or arm) are all kept.
 */
function lastAttempts(records: readonly TraceRecord[]): TraceRecord[] {
  const latest = new Map<string, TraceRecord>();
  for (const record of records) {
    const key =
      record.task_id === null || record.arm === null
        ? `trace:${record.trace_id}`
        : JSON.stringify([
            record.run_id,
            record.task_id,
            record.arm,
            record.sample_index,
            record.strategy?.role ?? null,
            record.strategy?.index ?? null,
          ]);
    const seen = latest.get(key);
    if (seen === undefined || record.attempt >= seen.attempt) latest.set(key, record);
  }
  return [...latest.values()];
}
