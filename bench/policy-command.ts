/**
 * The cost of `command` conditions on `bash` calls (target: at least 20,000 decisions/s with
 * the shipped default policy). Baseline, in the same process: the same policy with the regex
 * rule it shipped before (`args.command` matched by one RE2 regex, which chaining and quoting
 * slipped past). Also the worst case, a 90 kB line of 15,000 chained commands, timed alone.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { evaluate } from '../src/policy/evaluate.js';
import { CallFacts, type DecisionContext } from '../src/policy/facts.js';
import { parsePolicy } from '../src/policy/load.js';
import type { PolicyCall } from '../src/policy/types.js';
import { reportFigures } from './figures.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 20_000);
const REPEATS = 5;

const text = await readFile(join(import.meta.dirname, '..', 'policies', 'default.yaml'), 'utf8');
const shipped = parsePolicy(text, 'default.yaml');

// The same file with the command rules replaced by the single regex of the previous version.
const before = parse(text) as { rules: Record<string, unknown>[] };
before.rules = before.rules
  .filter((r) => r['id'] !== 'shell-no-pipe-to-shell' && r['id'] !== 'shell-unclear')
  .map((r) =>
    r['id'] === 'shell-no-privilege-or-push'
      ? {
          ...r,
          when: {
            args: {
              command: {
                regex: '(^|[;&|(`$!{]|\\s)(sudo|su|doas|git\\s+push|git\\s+remote\\s+add)(\\s|$|;)',
              },
            },
          },
        }
      : r,
  );
const regexPolicy = parsePolicy(stringify(before), 'default-regex.yaml');

const commands = [
  'python3 -m pytest -q 2>&1 | tail -n 30',
  'git status && git diff --stat',
  "grep -rn 'def mean' --include=*.py .",
  'cd src && ls -la && cat stats.py',
  "cat <<'EOF' > notes.txt\nsome notes\nEOF",
  'FOO=1 \\git -C . push origin main',
  'echo "$(git rev-parse HEAD)"',
  'sed -i "s/(len(xs) - 1)/len(xs)/" stats.py && python3 -c "import stats; print(stats.mean([1,2,3]))"',
];
const calls: PolicyCall[] = commands.map((command, i) => ({
  tool: 'bash',
  args: { command },
  step: i + 1,
}));

const context: DecisionContext = {
  step: 0,
  tainted: false,
  interactive: false,
  seenUrls: new Set(),
  toolUsage: { calls: 0, sandbox_seconds: 0, fetched_bytes: 0, distinct_hosts: 0 },
  episodeUsage: { calls: 0, sandbox_seconds: 0, fetched_bytes: 0, distinct_hosts: 0 },
};

/** The rules' evaluation of each call, as bench/policy.ts times it (budgets left out). */
function rate(policy: typeof shipped, list: readonly PolicyCall[], rounds: number) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let denied = 0;
  for (let r = 0; r < rounds; r++) {
    for (const call of list) {
      const result = evaluate(policy.compiled, new CallFacts(call.tool, call.args, context));
      if (result.effect === 'deny') denied++;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const calls = rounds * list.length;
  return {
    perSecond: calls / seconds,
    cpuPerCallUs: (used.user + used.system) / calls,
    denied: denied / rounds,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const after: number[] = [];
const baseline: number[] = [];
let cpuAfter = 0;
let cpuBefore = 0;
for (let i = 0; i < REPEATS; i++) {
  const b = rate(regexPolicy, calls, ROUNDS / REPEATS);
  const a = rate(shipped, calls, ROUNDS / REPEATS);
  // The line `FOO=1 \git -C . push` is what the regex missed and the command rules catch.
  if (a.denied !== 1 || b.denied !== 0)
    throw new Error(`denials: after ${a.denied}, before ${b.denied}`);
  baseline.push(b.perSecond);
  after.push(a.perSecond);
  cpuAfter += a.cpuPerCallUs / REPEATS;
  cpuBefore += b.cpuPerCallUs / REPEATS;
}
const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;
console.log(`bash decisions, shipped default policy, ${commands.length} typical lines`);
console.log(
  `  regex rule (before)     ${fmt(median(baseline))}  cpu ${cpuBefore.toFixed(1)} us/call`,
);
console.log(
  `  command rules (after)   ${fmt(median(after))}  cpu ${cpuAfter.toFixed(1)} us/call  (${(median(after) / median(baseline)).toFixed(2)}x baseline)`,
);
console.log(`  target >= 20,000/s: ${median(after) >= 20_000 ? 'met' : 'NOT met'}`);

const huge: PolicyCall = {
  tool: 'bash',
  args: { command: `${'ls && '.repeat(15_000)}git status` },
  step: 1,
};
// Each round reads the line afresh: the one-line cache would otherwise hide the parse. One
// untimed round first, so the figure is the warm cost, as for the typical lines.
rate(shipped, [huge, calls[0]!], 2);
const hugeRate = rate(shipped, [huge, calls[0]!], 5);
const hugeBase = rate(regexPolicy, [huge, calls[0]!], 5);
console.log(
  `  90 kB line of 15,000 commands (+ one short line): ${(2000 / hugeRate.perSecond).toFixed(1)} ms per pair (regex: ${(2000 / hugeBase.perSecond).toFixed(1)} ms)`,
);

reportFigures('policy-command', [
  {
    name: 'bash decisions with command rules, default policy',
    value: median(after),
    unit: '/s',
    baseline: median(baseline),
    baselineName: 'one args.command regex',
    target: { on: 'value', op: '>=', limit: 20_000 },
  },
  {
    name: 'bash decision on a 90 kB line of 15,000 commands',
    value: 2000 / hugeRate.perSecond,
    unit: 'ms',
    baseline: 2000 / hugeBase.perSecond,
    baselineName: 'one args.command regex',
  },
]);
