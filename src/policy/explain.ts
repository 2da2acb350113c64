import { traceRules } from './evaluate.js';
import type { FilePolicy } from './file-policy.js';
import type { Prompter } from './prompter.js';
import type { Effect, PolicyDecision } from './types.js';

export interface ExplainInput {
  tool: string;
  args: Record<string, unknown>;
  step?: number;
  tainted?: boolean;
  interactive?: boolean;
  /** The user's prompt, whose URLs count as seen. */
  prompt?: string;
}

export interface RuleExplanation {
  id: string;
  effect: Effect;
  line: number | null;
  status: 'matched' | 'not_matched' | 'excepted';
  detail: string;
}

/** Everything `policy explain` shows: the decision a fresh episode would make, and why. */
export interface Explanation {
  file: string;
  sha256: string;
  call: { tool: string; args: Record<string, unknown>; step: number };
  context: { tainted: boolean; interactive: boolean };
  decision: PolicyDecision;
  /** True when an interactive run would put the call to a person; `decision` assumes "once". */
  asks_person: boolean;
  /** Every rule whose `tool` matches the call, in file order. */
  rules: RuleExplanation[];
  /** How many rules are about other tools. */
  other_rules: number;
}

/** Decides a call the way the first call of a fresh episode is decided, without running it. */
export async function explainCall(policy: FilePolicy, input: ExplainInput): Promise<Explanation> {
  const step = input.step ?? 1;
  const interactive = input.interactive ?? false;
  const tainted = input.tainted ?? false;
  let asked = false;
  const prompter: Prompter = {
    async ask() {
      asked = true;
      return { answer: 'once' };
    },
  };
  const session = policy.startEpisode(
    { prompt: input.prompt ?? '', interactive, prompter },
    { tainted },
  );
  const call = { tool: input.tool, args: input.args, step };
  const traces = traceRules(policy.compiled, session.facts(call));
  const decision = await session.decide(call);
  const rules = traces
    .filter((t) => t.rule.matchesTool(input.tool))
    .map((t) => ({
      id: t.rule.id,
      effect: t.rule.effect,
      line: t.rule.line,
      status: t.status,
      detail: t.detail,
    }));
  return {
    file: policy.file,
    sha256: policy.sha256,
    call,
    context: { tainted, interactive },
    decision,
    asks_person: asked,
    rules,
    other_rules: policy.compiled.rules.length - rules.length,
  };
}

/** The explanation as aligned text for a terminal. */
export function formatExplanation(e: Explanation): string {
  const d = e.decision;
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`${`${label}:`.padEnd(10)} ${value}`);
  const lineOf = (id: string | null) => e.rules.find((r) => r.id === id)?.line ?? null;

  row('policy', `${e.file} (sha256 ${e.sha256.slice(0, 16)}…)`);
  row(
    'call',
    `${e.call.tool} ${JSON.stringify(e.call.args)} at step ${e.call.step}, ` +
      `${e.context.interactive ? 'interactive' : 'batch'}, ${e.context.tainted ? 'tainted' : 'not tainted'}`,
  );
  const verdict = e.asks_person
    ? `ask: a person is asked; "once" or "episode" allows it as below, "deny" refuses`
    : d.decision + (d.answered_by === 'batch_ask' ? ' (ask answered by batch_ask)' : '');
  row('decision', verdict);
  row('effect', d.effect);
  const line = lineOf(d.rule);
  row('rule', `${d.rule ?? 'none'}${line === null ? '' : ` (line ${line})`}`);
  row('reason', d.reason);
  if (d.clamps) {
    const c = d.clamps;
    row(
      'clamps',
      `timeout_ms=${c.timeout_ms} cpu_ms=${c.cpu_ms ?? c.timeout_ms} memory_mb=${c.memory_mb} cpus=${c.cpus} ` +
        `output_bytes=${c.output_bytes} network=${c.network} private_network=[${c.private_network.join(', ')}]`,
    );
  } else {
    row('clamps', 'none (denied)');
  }
  if (d.budget) row('budget', d.budget);
  const budgets = Object.entries(d.budget_state ?? {}) as [
    string,
    { used: number; max: number | null },
  ][];
  if (budgets.length > 0) {
    row('budgets', budgets.map(([name, b]) => `${name} ${b.used}/${b.max ?? '∞'}`).join(', '));
  }

  const matched = e.rules.filter((r) => r.status === 'matched');
  const unmatched = e.rules.filter((r) => r.status !== 'matched');
  const width = Math.max(0, ...e.rules.map((r) => r.id.length));
  lines.push(matched.length === 0 ? 'matched:   none' : 'matched:');
  for (const r of matched) lines.push(formatRule(r, width));
  if (unmatched.length > 0) {
    lines.push('not matched:');
    for (const r of unmatched) lines.push(formatRule(r, width));
  }
  if (e.other_rules > 0)
    lines.push(`(${e.other_rules} more rule${e.other_rules === 1 ? '' : 's'} about other tools)`);
  return `${lines.join('\n')}\n`;
}

function formatRule(r: RuleExplanation, width: number): string {
  const where = r.line === null ? '' : `line ${r.line}`;
  return `  ${r.id.padEnd(width)}  ${r.effect.padEnd(5)}  ${where.padEnd(9)} ${r.detail}`;
}
