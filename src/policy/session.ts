import type { ToolUsage } from '../agent/tool.js';
import { throwIfAborted } from '../util/abort.js';
import { BudgetLedger } from './budgets.js';
import { mergeClamps } from './clamps.js';
import type { CompiledPolicy, CompiledRule } from './compile.js';
import { evaluate } from './evaluate.js';
import { CallFacts } from './facts.js';
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

export interface EpisodeOptions {
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

  constructor(policy: CompiledPolicy, context: EpisodeContext, options: EpisodeOptions = {}) {
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
    return new CallFacts(call.tool, call.args, {
      step: call.step,
      tainted: this.#tainted,
      interactive: this.#context.interactive,
      seenUrls: this.#seen,
      toolUsage: this.#ledger.view(call.tool),
      episodeUsage: this.#ledger.view(null),
    });
  }

  async decide(call: PolicyCall, signal?: AbortSignal): Promise<PolicyDecision> {
    throwIfAborted(signal);
    const facts = this.facts(call);
    const { effect, rule, matched } = evaluate(this.#policy, facts);
    const common = { matched: matched.map((r) => r.id), tainted: this.#tainted };

    if (effect === 'deny') {
      return {
        decision: 'deny',
        effect,
        rule: rule?.id ?? 'default',
        reason: rule ? denyReason(rule, call.tool) : defaultDenyReason(this.#policy, call.tool),
        clamps: null,
        ...common,
        budget_state: this.#ledger.state(call.tool),
      };
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
        ...common,
        budget: exhausted.budget,
        budget_state: this.#ledger.state(call.tool),
      };
    }

    let reason = allowReason(rule);
    let answeredBy: 'user' | 'batch_ask' | undefined;
    if (effect === 'ask') {
      const answer = await this.#answer(call, rule, host, signal);
      answeredBy = answer.by;
      if (!answer.allow) {
        return {
          decision: 'deny',
          effect,
          rule: rule?.id ?? 'default',
          reason: answer.reason,
          clamps: null,
          ...common,
          answered_by: answer.by,
          budget_state: this.#ledger.state(call.tool),
        };
      }
      reason = answer.reason;
    }

    this.#ledger.reserve(call.tool, host);
    const decision: PolicyDecision = {
      decision: 'allow',
      effect,
      rule: rule?.id ?? 'default',
      reason,
      clamps: mergeClamps(this.#policy, matched),
      ...common,
      budget_state: this.#ledger.state(call.tool),
    };
    if (answeredBy !== undefined) decision.answered_by = answeredBy;
    return decision;
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
  ): Promise<{ allow: boolean; by: 'user' | 'batch_ask'; reason: string }> {
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
