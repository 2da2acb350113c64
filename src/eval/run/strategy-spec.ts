import { UsageError } from '../../core/errors.js';

/** How an arm turns model episodes into one answer per task (docs/strategies.md). */
export type Strategy =
  | { name: 'single' }
  | { name: 'vote'; k: number }
  | { name: 'best'; n: number; selector: 'judge' }
  | { name: 'refine'; rounds: number; feedback: 'self' | 'tools' | 'tests' };

export type ReasoningEffort = 'low' | 'medium' | 'high';
export const REASONING_EFFORTS: readonly ReasoningEffort[] = ['low', 'medium', 'high'];

/** Upper bounds that keep a typo (`vote:800`) from launching an accidental bill. */
export const MAX_SAMPLES_PER_TASK = 64;
export const MAX_REFINE_ROUNDS = 8;

export interface ArmStrategy {
  strategy: Strategy;
  effort?: ReasoningEffort;
}

/**
 * Parses the `@…` suffixes of one arm: at most one of `vote:K`, `best:N:judge`,
 * `refine:R:self|tools|tests`, plus at most one `effort:low|medium|high`, in any order.
 * Every error names the arm, so a long `--arms` list says which part is wrong.
 */
export function parseArmStrategy(arm: string, parts: readonly string[]): ArmStrategy {
  const fail = (message: string): never => {
    throw new UsageError('USAGE', `--arms: arm "${arm}": ${message}`);
  };
  let strategy: Strategy | undefined;
  let effort: ReasoningEffort | undefined;
  for (const raw of parts) {
    const part = raw.trim();
    const [kind, ...args] = part.split(':');
    if (kind === 'effort') {
      if (effort !== undefined) fail('gives effort twice');
      if (args.length !== 1 || !REASONING_EFFORTS.includes(args[0] as ReasoningEffort)) {
        fail(`"${part}" is not effort:low, effort:medium or effort:high`);
      }
      effort = args[0] as ReasoningEffort;
      continue;
    }
    if (strategy !== undefined) {
      fail(`gives two strategies ("${strategy.name}" and "${kind}"); combine one with effort:…`);
    }
    switch (kind) {
      case 'vote': {
        if (args.length !== 1) fail(`"${part}" should be vote:K, e.g. vote:8`);
        strategy = { name: 'vote', k: count(args[0]!, 'K of vote:K', MAX_SAMPLES_PER_TASK, fail) };
        break;
      }
      case 'best': {
        if (args.length !== 2) fail(`"${part}" should be best:N:judge, e.g. best:4:judge`);
        const n = count(args[0]!, 'N of best:N:judge', MAX_SAMPLES_PER_TASK, fail);
        if (args[1] !== 'judge') {
          fail(`"${part}": best-of-n picks with "judge" (the same model); got "${args[1]}"`);
        }
        strategy = { name: 'best', n, selector: 'judge' };
        break;
      }
      case 'refine': {
        if (args.length !== 2) fail(`"${part}" should be refine:R:self|tools|tests`);
        const rounds = count(args[0]!, 'R of refine:R', MAX_REFINE_ROUNDS, fail);
        const feedback = args[1];
        if (feedback !== 'self' && feedback !== 'tools' && feedback !== 'tests') {
          fail(`"${part}": the feedback is self, tools or tests; got "${feedback}"`);
        }
        strategy = { name: 'refine', rounds, feedback: feedback as 'self' | 'tools' | 'tests' };
        break;
      }
      default:
        fail(
          `unknown strategy "${part}"; use vote:K, best:N:judge, refine:R:self|tools|tests or effort:low|medium|high`,
        );
    }
  }
  return { strategy: strategy ?? { name: 'single' }, ...(effort ? { effort } : {}) };
}

function count(text: string, what: string, max: number, fail: (m: string) => never): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) {
    fail(`${what} must be a whole number from 1 to ${max}; got "${text}"`);
  }
  return n;
}

/**
 * The most independent samples any arm of an `--arms` text draws per task (`vote:K`,
 * `best:N:judge`), read before the arms are fully parsed: it picks the bundled model's
 * temperature and the greedy warning, which must come first. Malformed parts count as 1;
 * `parseArms` reports them.
 */
export function parallelSamples(armsText: string): number {
  let most = 1;
  for (const match of armsText.matchAll(/@(?:vote|best):(\d+)/g)) {
    const n = Number(match[1]);
    if (n > most && n <= MAX_SAMPLES_PER_TASK) most = n;
  }
  return most;
}

/** The strategy's parameters as recorded in traces (`strategy.params`) and run.json. */
export function strategyParams(strategy: Strategy): Record<string, string | number> {
  const { name: _name, ...params } = strategy;
  return params;
}

/** `vote:8`, `refine:2:self`, or `single`: the spelling `--arms` takes. */
export function strategyLabel(strategy: Strategy): string {
  switch (strategy.name) {
    case 'single':
      return 'single';
    case 'vote':
      return `vote:${strategy.k}`;
    case 'best':
      return `best:${strategy.n}:${strategy.selector}`;
    case 'refine':
      return `refine:${strategy.rounds}:${strategy.feedback}`;
  }
}
