/**
 * Every bench `npm run bench` runs, with sample counts sized so that the whole run stays a few
 * minutes on two cores. Kept apart from `bench/run-all.ts` (which runs on import) so that
 * `tests/unit/bench-list.test.ts` can check that every file of bench/ is listed here.
 */

export interface Bench {
  /** The file bench/NAME.ts, and the name it passes to `reportFigures`. */
  name: string;
  /** Smaller sample counts than each bench's own defaults: the whole run stays a few minutes. */
  env?: Record<string, string>;
  /** `all`: cannot run without the python sandbox; `partly`: runs with less (see `withoutDocker`). */
  docker?: 'all' | 'partly';
  withoutDocker?: Record<string, string>;
  /** `chromium`: cannot run without headless Chromium (`bash scripts/ensure-chromium.sh`). */
  needs?: 'chromium';
  timeoutMs: number;
}

export const BENCHES: readonly Bench[] = [
  { name: 'startup', env: { BENCH_RUNS: '7', BENCH_EPISODE_RUNS: '3' }, timeoutMs: 420_000 },
  { name: 'loop', env: { BENCH_EPISODES: '200' }, timeoutMs: 120_000 },
  { name: 'model-provider', env: { BENCH_STEPS: '100' }, timeoutMs: 120_000 },
  { name: 'long-answer', timeoutMs: 600_000 },
  { name: 'eval-runner', env: { BENCH_TASKS: '250' }, timeoutMs: 120_000 },
  { name: 'queue', env: { BENCH_TASKS: '96' }, timeoutMs: 180_000 },
  { name: 'strategies', env: { BENCH_ROUNDS: '9' }, timeoutMs: 120_000 },
  { name: 'strategy-layer', env: { BENCH_TASKS: '10000', BENCH_ROUNDS: '5' }, timeoutMs: 120_000 },
  { name: 'calculator', timeoutMs: 60_000 },
  { name: 'policy', env: { BENCH_ROUNDS: '20000' }, timeoutMs: 60_000 },
  { name: 'policy-command', env: { BENCH_ROUNDS: '10000' }, timeoutMs: 60_000 },
  { name: 'trace-write', timeoutMs: 120_000 },
  { name: 'javascript', env: { BENCH_CALLS: '1000', BENCH_NEW: '50' }, timeoutMs: 60_000 },
  { name: 'search', env: { BENCH_DOCS: '5000', BENCH_QUERIES: '200' }, timeoutMs: 120_000 },
  { name: 'fetch', env: { BENCH_REQUESTS: '300' }, timeoutMs: 120_000 },
  { name: 'parsers', env: { BENCH_ROUNDS: '50' }, timeoutMs: 120_000 },
  { name: 'verify', env: { BENCH_ROUNDS: '3' }, timeoutMs: 120_000 },
  { name: 'export', env: { BENCH_EXPORT_RECORDS: '5000' }, timeoutMs: 120_000 },
  {
    name: 'mcp',
    env: { BENCH_CALLS: '300', BENCH_PY_CALLS: '50' },
    docker: 'partly',
    withoutDocker: { BENCH_PY_CALLS: '0' },
    timeoutMs: 180_000,
  },
  {
    name: 'report',
    env: { BENCH_ROUNDS: '1', BENCH_WALL_RUNS: '3' },
    needs: 'chromium',
    timeoutMs: 300_000,
  },
  {
    name: 'tiny-model',
    env: { BENCH_TASKS: '10' },
    docker: 'partly',
    withoutDocker: { BENCH_KINDS: 'arithmetic,facts' },
    timeoutMs: 240_000,
  },
  { name: 'sandbox', docker: 'all', timeoutMs: 240_000 },
  { name: 'workspace', env: { BENCH_SCALE: '0.1' }, docker: 'all', timeoutMs: 300_000 },
];
