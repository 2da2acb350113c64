import type { TraceRecord } from '../../trace/schema.js';
import type { RunManifest } from '../run/manifest.js';
import type { EvalResults, PairedResults } from '../stats/results.js';
import { isCorrect, latestAttempts, taskAccuracy } from '../stats/samples.js';

/** What the renderers need beyond `results.json`. */
export interface ReportOptions {
  /** Line of each trace in `traces.jsonl`, by trace id, for links to the raw record. */
  traceLines?: ReadonlyMap<string, number>;
  /** The trace file's name as linked from the report (default `traces.jsonl`). */
  tracesFile?: string;
}

export interface ArmPair {
  key: string;
  first: string;
  second: string;
  paired: PairedResults;
}

/** One sample of one task in one arm: its last attempt and where it sits in the trace file. */
export interface SampleRef {
  record: TraceRecord;
  line: number | null;
}

export interface ArmOfTask {
  arm: string;
  /** Mean reward over scored samples; null when none was scored. */
  accuracy: number | null;
  samples: SampleRef[];
}

export interface DiscordantTask {
  taskId: string;
  arms: ArmOfTask[];
}

export interface InfraSummary {
  arm: string;
  /** Samples whose last attempt ended in an infrastructure error. */
  finalErrors: number;
  /** Attempts that were retried after an infrastructure error. */
  retried: number;
  /** Error codes of the final infrastructure errors, most frequent first. */
  codes: [string, number][];
}

/** The run's facts arranged for the renderers; built once per report. */
export interface ReportModel {
  results: EvalResults;
  manifest: RunManifest;
  arms: string[];
  pairs: ArmPair[];
  discordant: Map<string, DiscordantTask[]>;
  infra: InfraSummary[];
  /** Every attempt that ended in an infrastructure error, retried ones included. */
  infraErrors: InfraError[];
  /** The last attempt of every sample, by task, arm and sample index. */
  samples: SampleRef[];
  /** When the last episode of the run ended (null without traces). */
  endedAt: string | null;
  /** Sampling settings the episodes used, each with how many final samples used it. */
  sampling: SamplingUse[];
  tracesFile: string;
}

export interface InfraError extends SampleRef {
  /** True when this attempt was the sample's last, so the sample is excluded from accuracy. */
  final: boolean;
}

export interface SamplingUse {
  temperature: number | null;
  top_p: number | null;
  max_tokens: number | null;
  samples: number;
}

export function buildReportModel(
  results: EvalResults,
  manifest: RunManifest,
  records: readonly TraceRecord[],
  options: ReportOptions = {},
): ReportModel {
  const arms = armOrder(results, manifest);
  const ofRun = records.filter((r) => r.run_id === manifest.run_id);
  const finals = latestAttempts(ofRun);
  const byTaskArm = new Map<string, SampleRef[]>();
  for (const record of finals) {
    const key = JSON.stringify([record.task_id, record.arm]);
    const list = byTaskArm.get(key) ?? [];
    list.push({ record, line: options.traceLines?.get(record.trace_id) ?? null });
    byTaskArm.set(key, list);
  }
  for (const list of byTaskArm.values()) {
    list.sort((a, b) => a.record.sample_index - b.record.sample_index);
  }
  const pairs = armPairs(results, arms);
  const discordant = new Map<string, DiscordantTask[]>();
  for (const pair of pairs) {
    discordant.set(
      pair.key,
      pair.paired.discordant.map((taskId) => ({
        taskId,
        arms: [pair.first, pair.second].map((arm) => {
          const samples = byTaskArm.get(JSON.stringify([taskId, arm])) ?? [];
          return { arm, accuracy: taskAccuracy(samples.map((s) => s.record)), samples };
        }),
      })),
    );
  }
  return {
    results,
    manifest,
    arms,
    pairs,
    discordant,
    infra: arms.map((arm) => infraSummary(arm, results, finals, ofRun)),
    infraErrors: infraErrors(ofRun, finals, options.traceLines),
    samples: [...byTaskArm.values()]
      .flat()
      .sort(
        (a, b) =>
          compareText(a.record.task_id, b.record.task_id) ||
          arms.indexOf(a.record.arm ?? '') - arms.indexOf(b.record.arm ?? '') ||
          a.record.sample_index - b.record.sample_index,
      ),
    endedAt: lastEnd(ofRun),
    sampling: samplingUses(finals),
    tracesFile: options.tracesFile ?? 'traces.jsonl',
  };
}

function compareText(a: string | null, b: string | null): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

function infraErrors(
  all: readonly TraceRecord[],
  finals: readonly TraceRecord[],
  lines: ReadonlyMap<string, number> | undefined,
): InfraError[] {
  const finalIds = new Set(finals.map((r) => r.trace_id));
  return all
    .filter((r) => r.error?.class === 'infra')
    .map((record) => ({
      record,
      line: lines?.get(record.trace_id) ?? null,
      final: finalIds.has(record.trace_id),
    }))
    .sort(
      (a, b) =>
        compareText(a.record.task_id, b.record.task_id) ||
        compareText(a.record.arm, b.record.arm) ||
        a.record.sample_index - b.record.sample_index ||
        a.record.attempt - b.record.attempt,
    );
}

/** The latest `timing.ended_at` of the run: when it finished, as far as the traces tell. */
function lastEnd(records: readonly TraceRecord[]): string | null {
  let last: string | null = null;
  let lastMs = -Infinity;
  for (const r of records) {
    const ms = Date.parse(r.timing.ended_at);
    if (ms > lastMs) {
      lastMs = ms;
      last = r.timing.ended_at;
    }
  }
  return last;
}

function samplingUses(finals: readonly TraceRecord[]): SamplingUse[] {
  const uses = new Map<string, SamplingUse>();
  for (const { sampling } of finals) {
    const key = JSON.stringify([sampling.temperature, sampling.top_p, sampling.max_tokens]);
    const use = uses.get(key) ?? {
      temperature: sampling.temperature,
      top_p: sampling.top_p,
      max_tokens: sampling.max_tokens,
      samples: 0,
    };
    use.samples++;
    uses.set(key, use);
  }
  return [...uses.values()].sort((a, b) => b.samples - a.samples);
}

/** Arms in the order the run gave them, then any others `results.json` holds. */
function armOrder(results: EvalResults, manifest: RunManifest): string[] {
  const names = manifest.arms
    .map((a) => a.name)
    .filter((name) => Object.hasOwn(results.arms, name));
  for (const name of Object.keys(results.arms)) if (!names.includes(name)) names.push(name);
  return names;
}

function armPairs(results: EvalResults, arms: readonly string[]): ArmPair[] {
  const pairs: ArmPair[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < arms.length; i++) {
    for (let j = i + 1; j < arms.length; j++) {
      const key = `${arms[i]}_vs_${arms[j]}`;
      const paired = Object.hasOwn(results.paired, key) ? results.paired[key] : undefined;
      if (paired === undefined) continue;
      seen.add(key);
      pairs.push({ key, first: arms[i]!, second: arms[j]!, paired });
    }
  }
  // Pairs whose arms the manifest does not list still get shown, split at the first `_vs_`.
  for (const [key, paired] of Object.entries(results.paired)) {
    if (seen.has(key)) continue;
    const at = key.indexOf('_vs_');
    const first = at < 0 ? key : key.slice(0, at);
    const second = at < 0 ? '' : key.slice(at + 4);
    pairs.push({ key, first, second, paired });
  }
  return pairs;
}

function infraSummary(
  arm: string,
  results: EvalResults,
  finals: readonly TraceRecord[],
  all: readonly TraceRecord[],
): InfraSummary {
  const codes = new Map<string, number>();
  for (const record of finals) {
    if (record.arm !== arm || record.error?.class !== 'infra') continue;
    codes.set(record.error.code, (codes.get(record.error.code) ?? 0) + 1);
  }
  const finalIds = new Set(finals.map((r) => r.trace_id));
  const retried = all.filter(
    (r) => r.arm === arm && r.error?.class === 'infra' && !finalIds.has(r.trace_id),
  ).length;
  return {
    arm,
    finalErrors: results.arms[arm]?.infra_errors ?? 0,
    retried,
    codes: [...codes.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
  };
}

/** The verdict on one sample: `correct`, `wrong`, `infra error`, or `not scored`. */
export function sampleVerdict(
  record: TraceRecord,
): 'correct' | 'wrong' | 'infra error' | 'not scored' {
  if (record.error?.class === 'infra') return 'infra error';
  if (record.reward === null) return 'not scored';
  return isCorrect(record) ? 'correct' : 'wrong';
}
