/**
 * Policy decisions per second on a 50-rule policy (target: at least 100k/s), three ways in
 * one process: (1) the pure rule evaluation, (2) a whole `PolicySession.decide` with budgets,
 * clamps, reasons and budget counters, and (3) a hand-written if-chain that encodes the same
 * 50 rules directly, as the floor any rule engine is measured against. Every call is first
 * checked to get the same effect and deciding rule from the engine and the if-chain.
 */
import { stringify } from 'yaml';
import { evaluate } from '../src/policy/evaluate.js';
import { CallFacts, type DecisionContext } from '../src/policy/facts.js';
import { parsePolicy } from '../src/policy/load.js';
import type { Effect, PolicyCall } from '../src/policy/types.js';
import { parseUrlFacts } from '../src/policy/url-facts.js';
import { reportFigures } from './figures.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 50_000);
const N = 10;
const sites = Array.from({ length: N }, (_, i) => `site${i}.org`);
const blocked = Array.from({ length: N }, (_, i) => `/blocked${i}`);
const askHosts = Array.from({ length: 5 }, (_, i) => `ask${i}.example`);
const secrets = Array.from({ length: 5 }, (_, i) => `secret${i}|password${i}`);
const maxTimeouts = [10, 20, 30, 40, 50];
const maxSteps = [100, 200, 300, 400, 500];

const rules: Record<string, unknown>[] = [
  ...sites.map((site, i) => ({
    id: `fetch-site-${i}`,
    tool: 'web_fetch',
    effect: 'allow',
    when: { host: `*.${site}`, scheme: 'https' },
    limits: { timeout_ms: 10_000 + i },
  })),
  ...blocked.map((path, i) => ({
    id: `fetch-blocked-${i}`,
    tool: 'web_fetch',
    effect: 'deny',
    when: { path: `${path}/**` },
  })),
  ...askHosts.map((host, i) => ({
    id: `fetch-ask-${i}`,
    tool: 'web_fetch',
    effect: 'ask',
    when: { host, port: 8443 },
  })),
  ...secrets.map((re, i) => ({
    id: `search-secret-${i}`,
    tool: 'web_search',
    effect: 'deny',
    when: { args: { query: { regex: re, flags: 'i' } } },
  })),
  ...maxTimeouts.map((t, i) => ({
    id: `python-timeout-${i}`,
    tool: 'python',
    effect: 'allow',
    when: { timeout_s: { lte: t } },
    limits: { timeout_ms: t * 1000 },
  })),
  ...maxSteps.map((s, i) => ({
    id: `js-step-${i}`,
    tool: 'javascript',
    effect: 'deny',
    when: { step: { gt: s } },
  })),
  { id: 'js-allow', tool: 'javascript', effect: 'allow' },
  { id: 'search-allow', tool: 'web_search', effect: 'allow' },
  { id: 'calc-allow', tool: 'calculator', effect: 'allow' },
  { id: 'fetch-private', tool: 'web_fetch', effect: 'deny', when: { private_network: true } },
  {
    id: 'fetch-unseen-after-taint',
    tool: 'web_fetch',
    effect: 'deny',
    when: { tainted: true, url_seen: false },
  },
  {
    id: 'python-tainted-network',
    tool: 'python',
    effect: 'deny',
    when: { tainted: true, args: { network: { equals: true } } },
  },
  {
    id: 'calc-long',
    tool: 'calculator',
    effect: 'deny',
    when: { args: { expression: { regex: '.{500,}' } } },
  },
  { id: 'search-step', tool: 'web_search', effect: 'ask', when: { step: { gt: 1000 } } },
  {
    id: 'fetch-any-https',
    tool: 'web_fetch',
    effect: 'allow',
    when: { scheme: 'https', private_network: false },
  },
  {
    id: 'fetch-http',
    tool: 'web_fetch',
    effect: 'ask',
    when: { scheme: 'http', private_network: false },
  },
];
if (rules.length !== 50) throw new Error(`expected 50 rules, built ${rules.length}`);

const policy = parsePolicy(
  stringify({ version: 1, default: 'deny', batch_ask: 'deny', rules }),
  'bench.yaml',
);

const calls: PolicyCall[] = [
  { tool: 'web_fetch', args: { url: 'https://www.site3.org/a/b?c=1' }, step: 1 },
  { tool: 'web_fetch', args: { url: 'https://www.site9.org/blocked7/x' }, step: 2 },
  { tool: 'web_fetch', args: { url: 'https://ask2.example:8443/' }, step: 3 },
  { tool: 'web_fetch', args: { url: 'http://127.0.0.1:8080/admin' }, step: 4 },
  { tool: 'web_fetch', args: { url: 'https://unknown.net/page' }, step: 5 },
  { tool: 'web_fetch', args: { url: 'http://plain.example/' }, step: 6 },
  { tool: 'web_search', args: { query: 'weather in Paris tomorrow' }, step: 7 },
  { tool: 'web_search', args: { query: 'leaked PASSWORD3 dump' }, step: 8 },
  { tool: 'python', args: { code: 'print(1)', timeout_s: 15 }, step: 9 },
  { tool: 'python', args: { code: 'print(1)', timeout_s: 120 }, step: 10 },
  { tool: 'javascript', args: { code: '1 + 1' }, step: 11 },
  { tool: 'javascript', args: { code: '1 + 1' }, step: 350 },
  { tool: 'calculator', args: { expression: '2^64' }, step: 12 },
  { tool: 'shell', args: { cmd: 'ls' }, step: 13 },
];

const context: DecisionContext = {
  step: 0,
  tainted: false,
  interactive: false,
  seenUrls: new Set(),
  toolUsage: { calls: 0, sandbox_seconds: 0, fetched_bytes: 0, distinct_hosts: 0 },
  episodeUsage: { calls: 0, sandbox_seconds: 0, fetched_bytes: 0, distinct_hosts: 0 },
};

function engine(call: PolicyCall): { effect: Effect; rule: string | null } {
  const result = evaluate(
    policy.compiled,
    new CallFacts(call.tool, call.args, { ...context, step: call.step }),
  );
  return { effect: result.effect, rule: result.rule?.id ?? null };
}

const siteSuffixes = sites.map((s) => `.${s}`);
const blockedPrefixes = blocked.map((p) => `${p}/`);
const secretTests = secrets.map((s) => new RegExp(s, 'i'));
const longExpression = /.{500,}/;

/** The same 50 rules written out by hand: no rule objects, no condition closures. */
function ifChain(call: PolicyCall): { effect: Effect; rule: string | null } {
  let deny: string | null = null;
  let ask: string | null = null;
  let allow: string | null = null;
  const a = call.args;
  if (call.tool === 'web_fetch') {
    const url = parseUrlFacts(a['url']);
    if (url) {
      for (let i = 0; i < N; i++) {
        if (allow === null && url.scheme === 'https' && url.host.endsWith(siteSuffixes[i]!)) {
          allow = `fetch-site-${i}`;
        }
      }
      for (let i = 0; i < N; i++) {
        if (deny === null && url.path.startsWith(blockedPrefixes[i]!)) deny = `fetch-blocked-${i}`;
      }
      for (let i = 0; i < askHosts.length; i++) {
        if (ask === null && url.host === askHosts[i] && url.port === 8443) ask = `fetch-ask-${i}`;
      }
      if (deny === null && url.privateNetwork) deny = 'fetch-private';
      if (deny === null && context.tainted && !context.seenUrls.has(url.href))
        deny = 'fetch-unseen-after-taint';
      if (allow === null && url.scheme === 'https' && !url.privateNetwork)
        allow = 'fetch-any-https';
      if (ask === null && url.scheme === 'http' && !url.privateNetwork) ask = 'fetch-http';
    }
  } else if (call.tool === 'web_search') {
    const q = a['query'];
    for (let i = 0; i < secretTests.length; i++) {
      if (deny === null && typeof q === 'string' && secretTests[i]!.test(q))
        deny = `search-secret-${i}`;
    }
    allow = 'search-allow';
    if (call.step > 1000) ask = 'search-step';
  } else if (call.tool === 'python') {
    const t = a['timeout_s'];
    for (let i = 0; i < maxTimeouts.length; i++) {
      if (allow === null && typeof t === 'number' && t <= maxTimeouts[i]!)
        allow = `python-timeout-${i}`;
    }
    if (context.tainted && a['network'] === true) deny = 'python-tainted-network';
  } else if (call.tool === 'javascript') {
    for (let i = 0; i < maxSteps.length; i++)
      if (deny === null && call.step > maxSteps[i]!) deny = `js-step-${i}`;
    allow = 'js-allow';
  } else if (call.tool === 'calculator') {
    allow = 'calc-allow';
    const e = a['expression'];
    if (typeof e === 'string' && longExpression.test(e)) deny = 'calc-long';
  }
  if (deny !== null) return { effect: 'deny', rule: deny };
  if (ask !== null) return { effect: 'ask', rule: ask };
  if (allow !== null) return { effect: 'allow', rule: allow };
  return { effect: 'deny', rule: null };
}

for (const call of calls) {
  const e = engine(call);
  const b = ifChain(call);
  if (e.effect !== b.effect || e.rule !== b.rule) {
    throw new Error(
      `engine and if-chain disagree on ${JSON.stringify(call)}: ${JSON.stringify(e)} vs ${JSON.stringify(b)}`,
    );
  }
}

function rate(fn: (call: PolicyCall) => unknown, rounds: number): number {
  const started = performance.now();
  for (let r = 0; r < rounds; r++) for (const call of calls) fn(call);
  return (rounds * calls.length) / ((performance.now() - started) / 1000);
}

async function sessionRate(rounds: number): Promise<number> {
  const session = policy.startEpisode({ prompt: '', interactive: false });
  const started = performance.now();
  for (let r = 0; r < rounds; r++) for (const call of calls) await session.decide(call);
  return (rounds * calls.length) / ((performance.now() - started) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// Trials interleave the three so that load from other processes hits each about equally.
const TRIALS = 7;
const per = Math.max(1, Math.floor(ROUNDS / TRIALS));
rate(ifChain, 2_000);
rate(engine, 2_000);
await sessionRate(2_000);
const baseline: number[] = [];
const pure: number[] = [];
const full: number[] = [];
for (let t = 0; t < TRIALS; t++) {
  baseline.push(rate(ifChain, per));
  pure.push(rate(engine, per));
  full.push(await sessionRate(per));
}
const ratio = (xs: number[]) => median(xs.map((x, i) => x / baseline[i]!)).toFixed(2);
const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;
console.log(
  `policy decisions, 50 rules, ${calls.length} distinct calls, ${TRIALS} trials of ${per} rounds (medians)`,
);
console.log(`  hand-written if-chain (baseline)    ${fmt(median(baseline))}`);
console.log(
  `  evaluate() rules only               ${fmt(median(pure))}  (${ratio(pure)}x baseline)`,
);
console.log(
  `  PolicySession.decide() whole        ${fmt(median(full))}  (${ratio(full)}x baseline)`,
);
console.log(`  target >= 100,000/s for decide(): ${median(full) >= 100_000 ? 'met' : 'NOT met'}`);

// The catastrophic regex of issue 11: a rule `(a+)+$` on an argument, and a model that sends
// a run of "a" and one "!". Policies match on RE2 (linear); the baseline is the same pattern
// on V8's backtracking RegExp, which policies used before, timed once per length.
const redos = parsePolicy(
  stringify({
    version: 1,
    rules: [
      {
        id: 'redos',
        tool: 'web_search',
        effect: 'deny',
        when: { args: { query: { regex: '(a+)+$' } } },
      },
      { id: 'search', tool: 'web_search', effect: 'allow' },
    ],
  }),
  'redos.yaml',
);
function redosRate(length: number, rounds: number): { rate: number; worstMs: number } {
  const call = { tool: 'web_search', args: { query: `${'a'.repeat(length)}!` } };
  let worst = 0;
  const started = performance.now();
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    const result = evaluate(redos.compiled, new CallFacts(call.tool, call.args, context));
    worst = Math.max(worst, performance.now() - t);
    if (result.rule?.id !== 'search') throw new Error('the hostile argument must not match');
  }
  return { rate: rounds / ((performance.now() - started) / 1000), worstMs: worst };
}
console.log('catastrophic regex (a+)+$ on "a"×N + "!", one rule');
let redos27 = { rate: 0, beforeRate: 0 };
for (const length of [20, 24, 27]) {
  const backtracking = /(a+)+$/;
  const t = performance.now();
  backtracking.test(`${'a'.repeat(length)}!`);
  const beforeMs = performance.now() - t;
  const after = redosRate(length, 2_000);
  if (length === 27) redos27 = { rate: after.rate, beforeRate: 1000 / beforeMs };
  console.log(
    `  N=${length}: before (V8 backtracking) ${fmt(1000 / beforeMs)} (${beforeMs.toFixed(0)} ms each); after (RE2) ${fmt(after.rate)}, worst ${after.worstMs.toFixed(2)} ms  (${((after.rate * beforeMs) / 1000).toFixed(0)}x)`,
  );
}
const long = redosRate(100_000, 20);
console.log(
  `  N=100000: after (RE2) ${fmt(long.rate)}, worst ${long.worstMs.toFixed(1)} ms (before: never finishes)`,
);

reportFigures('policy', [
  {
    name: 'PolicySession.decide(), 50 rules',
    value: median(full),
    unit: '/s',
    baseline: median(baseline),
    baselineName: 'if-chain',
    target: { on: 'value', op: '>=', limit: 100_000 },
  },
  {
    name: 'decide() on (a+)+$ with 27 "a" + "!"',
    value: redos27.rate,
    unit: '/s',
    baseline: redos27.beforeRate,
    baselineName: 'V8 backtracking RegExp',
  },
]);
