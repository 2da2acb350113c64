import type { SampleResult } from './sample-rows.js';

/**
 * The shape of `results.json` (docs/results.md). Quantities that cannot be computed
 * (an arm with nothing scored) are null rather than 0, so "no data" never reads as "all wrong".
 */
export interface ArmResults {
  /** Samples with a final record: the last attempt of each (task, sample_index). */
  n: number;
  /** Samples with a reward (the verifier decided). */
  scored: number;
  /** Samples whose last attempt ended in an infrastructure error; never in `accuracy`. */
  infra_errors: number;
  /** Correct over scored. */
  accuracy: number | null;
  accuracy_ci95: [number, number] | null;
  /** Correct over n: infra errors and unscorable samples counted as wrong, for contrast. */
  raw_accuracy: number | null;
  pass_at_k: Record<string, number>;
  maj_at_k: Record<string, number>;
  tool_calls_mean: number | null;
  /** Executed tool calls that returned an error, over executed calls. */
  tool_error_rate: number | null;
  /** Tool calls the policy denied, over all tool calls. */
  denial_rate: number | null;
  /** Tool calls made although no tools were advertised (recorded, never executed). */
  unrequested_calls: number;
  tokens: { prompt_mean: number | null; completion_mean: number | null; total: number };
  latency_ms: { mean: number | null; p50: number | null; p95: number | null };
  /**
   * Compute per task-level answer, for accuracy-against-compute charts: prompt + completion
   * tokens and model requests, every episode of a strategy arm's decision included (judge and
   * review rounds too). Over answers whose last attempt was not an infrastructure error;
   * absent from results.json files written before strategies.
   */
  compute?: { tokens_per_task_mean: number | null; model_calls_per_task_mean: number | null };
  /**
   * `best:N:judge` arms only: the share of decisions where some candidate was correct. This is
   * pass@N, the choice of an oracle that knows the answer: an upper bound, never the arm's
   * accuracy (which is what the judge picked).
   */
  oracle_pass_at_n?: number | null;
  /**
   * `vote:K` arms only: the vote replayed with the first k samples of each decision, k = 1,
   * 2, 4, … K: accuracy and mean tokens per task at each k, from the same samples.
   */
  vote_curve?: { k: number; accuracy: number; tokens_per_task_mean: number }[];
}

export interface PairedResults {
  /** Tasks scored in both arms. */
  n_pairs: number;
  /** Mean over paired tasks of (accuracy in the first arm − accuracy in the second). */
  diff: number | null;
  diff_ci95: [number, number] | null;
  mcnemar: { b: number; c: number; p_value: number };
  /** Tasks whose accuracy differs between the arms, in suite order. */
  discordant: string[];
}

export interface GroupResults {
  arms: Record<string, ArmResults>;
  paired: Record<string, PairedResults>;
}

export interface EvalResults extends GroupResults {
  run_id: string | null;
  suite: unknown;
  model: unknown;
  /** Temperature, top_p and max_tokens of the run (null where the model's default applied). */
  sampling?: unknown;
  created_at: string;
  by_tag: Record<string, GroupResults>;
  /**
   * Every sample's last attempt with its verdict and the verifier's explanation. Absent from
   * results written before assay 0.1 kept it.
   */
  samples?: SampleResult[];
}
