import { throwIfAborted } from '../core/abort.js';
import type { ToolLimits } from '../core/limits.js';
import type { ChangeDecision, ToolUsage } from '../core/tool.js';
import { BudgetLedger } from './budgets.js';
import { clampsFor } from './clamps.js';
import type { CompiledPolicy, CompiledRule } from './compile.js';
import { type Evaluation, evaluate } from './evaluate.js';
import { CallFacts, type DecisionContext, type UsageView } from './facts.js';
import type { AskAnswer, Prompter } from './prompter.js';
import {
  allowReason,
  askDeniedByUser,
  askDeniedInBatch,
  defaultDenyReason,
  denyReason,
} from './reasons.js';
import { terminalPrompter } from './tty-prompter.js';
import type { EpisodeContext, PolicyCall, PolicyDecision, PolicySession } from './types.js';
import { extractUrls } from './url-extract.js';

export interface PolicyEpisodeOptions {
  /** Start tainted, as `policy explain --tainted` does. */
  tainted?: boolean;
}

/**
 * The policy state of one episode: taint, the URLs the episode has seen, budgets, and `ask`
 * answers the user gave for the whole episode. Every decision it returns is complete enough
 * to be recorded as is: rule, effect, reason, clamps, matched rules and budget counters.
 */
export class PolicyEpisode implements PolicySession {
  readonly #policy: CompiledPolicy;
  readonly #context: EpisodeContext;
  readonly #ledger: BudgetLedger;
  readonly #seen = new Set<string>();
  readonly #grants = new Set<string>();
  #tainted: boolean;

  constructor(policy: CompiledPolicy, context: EpisodeContext, options: PolicyEpisodeOptions = {}) {
    this.#policy = policy;
    this.#context = context;
    this.#ledger = new BudgetLedger(policy.budgets);
    this.#tainted = options.tainted ?? false;
    for (const url of extractUrls(context.prompt)) this.#seen.add(url);
  }

  get tainted(): boolean {
    return this.#tainted;
  }

  /** The facts a call is decided on, with the episode's state at this moment. */
  facts(call: PolicyCall): CallFacts {
    const context = new EpisodeState(
      call,
      this.#tainted,
      this.#context.interactive,
      this.#seen,
      this.#ledger,
    );
    return new CallFacts(call.tool, call.args, context);
  }

  decide(call: PolicyCall, signal?: AbortSignal): Promise<PolicyDecision> {
    try {
      throwIfAborted(signal);
      const facts = this.facts(call);
      const evaluation = evaluate(this.#policy, facts);
      if (evaluation.effect === 'ask') return this.#decideAsk(call, facts, evaluation, signal);
      return Promise.resolve(this.#conclude(call, facts, evaluation, null));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Everything after the rules: a deny stands; otherwise budgets may deny; an allow reserves
   * its call and carries clamps. `answer` is how an `ask` was resolved, null for other effects.
   */
  #conclude(
    call: PolicyCall,
    facts: CallFacts,
    { effect, rule, matched }: Evaluation,
    answer: Answer | null,
  ): PolicyDecision {
    const ids = matched.map((r) => r.id);
    const ruleId = rule?.id ?? 'default';
    if (effect === 'deny' || answer?.allow === false) {
      const decision: PolicyDecision = {
        decision: 'deny',
        effect,
        rule: ruleId,
        reason:
          answer !== null
            ? answer.reason
            : rule
              ? denyReason(rule, call.tool)
              : defaultDenyReason(this.#policy, call.tool),
        clamps: null,
        matched: ids,
        tainted: this.#tainted,
        budget_state: this.#ledger.state(call.tool),
      };
      if (answer !== null) decision.answered_by = answer.by;
      return decision;
    }

    const host = facts.url?.host ?? null;
    const exhausted = this.#ledger.check(call.tool, host);
    if (exhausted) {
      return {
        decision: 'deny',
        effect,
        rule: `budget:${exhausted.budget}`,
        reason: exhausted.reason,
        clamps: null,
        matched: ids,
        tainted: this.#tainted,
        budget: exhausted.budget,
        budget_state: this.#ledger.state(call.tool),
      };
    }

    const sandboxLeft = this.#ledger.sandboxMsLeft(call.tool);
    this.#ledger.reserve(call.tool, host);
    const decision: PolicyDecision = {
      decision: 'allow',
      effect,
      rule: ruleId,
      reason: answer === null ? allowReason(rule) : answer.reason,
      clamps: withinSandboxTime(clampsFor(this.#policy, matched), sandboxLeft),
      matched: ids,
      tainted: this.#tainted,
      budget_state: this.#ledger.state(call.tool),
    };
    if (answer !== null) decision.answered_by = answer.by;
    return decision;
  }

  /** An `ask`: budgets first (nobody is asked about a call that could not run), then a person or `batch_ask`. */
  async #decideAsk(
    call: PolicyCall,
    facts: CallFacts,
    evaluation: Evaluation,
    signal: AbortSignal | undefined,
  ): Promise<PolicyDecision> {
    const host = facts.url?.host ?? null;
    if (this.#ledger.check(call.tool, host)) return this.#conclude(call, facts, evaluation, null);
    const answer = await this.#answer(call, evaluation.rule, host, signal);
    return this.#conclude(call, facts, evaluation, answer);
  }

  /**
   * A redirect is a new request the model did not choose directly, so it gets the rules a
   * call of that URL would: once tainted, the default policy follows only to URLs already
   * seen. Budgets are not charged (the call that redirected was), and an `ask` is not put to a
   * person mid-fetch: only an allow follows.
   */
  checkFollow(next: PolicyCall): string | null {
    const facts = this.facts(next);
    const { effect, rule } = evaluate(this.#policy, facts);
    if (effect === 'allow') return null;
    // The target is not repeated: output names URLs that count as seen for later calls.
    const why =
      effect === 'ask'
        ? `rule ${rule?.id ?? 'default'} asks before such a URL is fetched, and a redirect cannot be approved mid-fetch`
        : rule
          ? denyReason(rule, next.tool)
          : defaultDenyReason(this.#policy, next.tool);
    return why;
  }

  /**
   * A tool found its definition changed since it was pinned. `on_definition_change: deny`
   * refuses; `ask` goes to the prompter (or `batch_ask`) under the pseudo-rule
   * `mcp.on_definition_change`, so an `episode` answer covers later calls of that tool.
   */
  async decideChange(
    call: PolicyCall,
    reason: string,
    signal?: AbortSignal,
  ): Promise<ChangeDecision> {
    const rule = definitionChangeRule(call.tool, reason);
    if (this.#policy.onDefinitionChange === 'deny') {
      return {
        decision: 'deny',
        effect: 'deny',
        rule: rule.id,
        reason: `${reason} The policy refuses changed MCP tool definitions (mcp.on_definition_change: deny).`,
      };
    }
    const answer = await this.#answer(call, rule, null, signal);
    return {
      decision: answer.allow ? 'allow' : 'deny',
      effect: 'ask',
      rule: rule.id,
      reason: answer.reason,
      answered_by: answer.by,
    };
  }

  record(call: PolicyCall, usage: ToolUsage, taints: boolean, output: string): void {
    this.#ledger.record(call.tool, usage);
    if (!taints) return;
    this.#tainted = true;
    for (const url of extractUrls(output)) this.#seen.add(url);
  }

  async #answer(
    call: PolicyCall,
    rule: CompiledRule | null,
    host: string | null,
    signal: AbortSignal | undefined,
  ): Promise<Answer> {
    const ruleId = rule?.id ?? 'default';
    const grant = `${ruleId}\u0000${call.tool}\u0000${host ?? ''}`;
    if (this.#grants.has(grant)) {
      return {
        allow: true,
        by: 'user',
        reason: `allowed by the user for this episode (rule ${ruleId} asks)`,
      };
    }
    let unavailable: string | null = null;
    if (this.#context.interactive) {
      const prompter: Prompter = this.#context.prompter ?? terminalPrompter();
      const answer: AskAnswer = await prompter.ask(
        {
          tool: call.tool,
          args: call.args,
          host,
          rule: ruleId,
          reason: rule?.reason ?? `rule ${ruleId} asks before ${call.tool} runs`,
          step: call.step,
        },
        signal,
      );
      throwIfAborted(signal);
      switch (answer.answer) {
        case 'once':
          return {
            allow: true,
            by: 'user',
            reason: `allowed once by the user (rule ${ruleId} asks)`,
          };
        case 'episode':
          this.#grants.add(grant);
          return {
            allow: true,
            by: 'user',
            reason: `allowed by the user for this episode (rule ${ruleId} asks)`,
          };
        case 'deny':
          return {
            allow: false,
            by: 'user',
            reason: askDeniedByUser(rule, call.tool, answer.reason),
          };
        case 'unavailable':
          unavailable = answer.reason;
          break;
      }
    }
    const note = unavailable === null ? '' : ` (${unavailable})`;
    if (this.#policy.batchAsk === 'allow') {
      return {
        allow: true,
        by: 'batch_ask',
        reason: `allowed without asking because nobody can answer (batch_ask: allow; rule ${ruleId} asks)${note}`,
      };
    }
    return { allow: false, by: 'batch_ask', reason: askDeniedInBatch(rule, call.tool) };
  }
}

/** The rule an `ask` about a changed MCP definition is put to a person under. */
function definitionChangeRule(tool: string, reason: string): CompiledRule {
  return {
    id: 'mcp.on_definition_change',
    index: -1,
    effect: 'ask',
    tools: [tool],
    matchesTool: (name) => name === tool,
    when: [],
    unless: [],
    limits: {},
    reason,
    line: null,
  };
}

/** How an `ask` was resolved. */
interface Answer {
  allow: boolean;
  by: 'user' | 'batch_ask';
  reason: string;
}

/** The episode as rules see it at one decision; usage is computed only if a rule asks. */
class EpisodeState implements DecisionContext {
  readonly step: number;
  readonly tainted: boolean;
  readonly interactive: boolean;
  readonly seenUrls: ReadonlySet<string>;
  readonly #tool: string;
  readonly #ledger: BudgetLedger;

  constructor(
    call: PolicyCall,
    tainted: boolean,
    interactive: boolean,
    seenUrls: ReadonlySet<string>,
    ledger: BudgetLedger,
  ) {
    this.step = call.step;
    this.tainted = tainted;
    this.interactive = interactive;
    this.seenUrls = seenUrls;
    this.#tool = call.tool;
    this.#ledger = ledger;
  }

  get toolUsage(): UsageView {
    return this.#ledger.view(this.#tool);
  }

  get episodeUsage(): UsageView {
    return this.#ledger.view(null);
  }
}

/** The clamps with the timeout cut to the sandbox time left, when a budget sets one. */
function withinSandboxTime(clamps: ToolLimits, leftMs: number | null): ToolLimits {
  if (leftMs === null || leftMs >= clamps.timeout_ms) return clamps;
  const timeout = Math.max(1, Math.floor(leftMs));
  const out: ToolLimits = { ...clamps, timeout_ms: timeout };
  if (out.cpu_ms !== undefined) out.cpu_ms = Math.min(out.cpu_ms, timeout);
  return out;
}
