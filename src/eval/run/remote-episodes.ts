import { sleep } from '../../core/abort.js';
import type { TraceRecord } from '../../trace/schema.js';
import type { Job } from './jobs.js';
import type { AttemptExecutor } from './local-attempt.js';
import type { RunScored } from './strategies.js';

export interface RemoteEpisodeDeps {
  runId: string;
  execute: AttemptExecutor;
  /** The run's `--concurrency` slots (on a queue, effectively unbounded). */
  limit: <T>(fn: () => Promise<T>) => Promise<T>;
  maxAttempts: number;
  retryDelayMs: number;
  signal: AbortSignal;
}

/**
 * The episodes of a strategy arm's decision on a queue: each underlying episode (sample,
 * judge, refine round) and each of its infra retries is one job, run and scored by a worker
 * (a judge unscored, as locally); the decision itself is made by the coordinator from the
 * records, with the same `runDecision` as a local run. Tagging and retries mirror the local
 * `episodeOf` in runner.ts.
 */
export function remoteEpisodes(job: Job, deps: RemoteEpisodeDeps): RunScored {
  return (input) =>
    deps.limit(async () => {
      const attempts: TraceRecord[] = [];
      for (let attempt = job.attempt; ; attempt++) {
        if (deps.signal.aborted) return null;
        const record = await deps.execute({
          runId: deps.runId,
          job,
          attempt,
          signal: deps.signal,
          episode: {
            messages: input.messages,
            useTools: input.useTools,
            seedOffset: input.seedOffset,
            score: input.score,
            role: input.tag.role,
            index: input.tag.index,
          },
        });
        if (record === undefined || deps.signal.aborted) return null;
        attempts.push({
          ...record,
          tags: job.task.tags,
          strategy: input.tag,
        } as unknown as TraceRecord);
        if (record.error?.class !== 'infra' || attempt + 1 >= deps.maxAttempts) return attempts;
        await sleep(deps.retryDelayMs * 2 ** (attempt - job.attempt), deps.signal).catch(() => {});
      }
    });
}
