import type { ToolLimits } from '../core/limits.js';
import type { ChangeDecision, ToolUsage } from '../core/tool.js';
import type { Prompter } from './prompter.js';

/** What a rule says about a call. */
export type Effect = 'allow' | 'deny' | 'ask';

/** A tool call as the policy sees it: the tool name and the parsed, validated arguments. */
export interface PolicyCall {
  tool: string;
  args: Record<string, unknown>;
  step: number;
}

/** The outcome of one decision, as recorded in `trace.tool_calls[].policy`. */
export interface PolicyDecision {
  decision: 'allow' | 'deny';
  /** The effect the rules produced before any `ask` was answered. */
  effect: 'allow' | 'deny' | 'ask';
  /** Id of the rule that decided, `default` when none matched, or `budget:<name>`. */
  rule: string | null;
  reason: string;
  /** Limits the call runs under; null for denials. Shared between decisions and frozen: copy to change. */
  clamps: ToolLimits | null;
  /** Every rule that matched, in file order. */
  matched?: string[];
  /** Who answered an `ask`: the user, or `batch_ask` with no TTY. */
  answered_by?: 'user' | 'batch_ask';
  /** The budget that ran out, when a budget denied the call. */
  budget?: string;
  /** Budget counters after this decision. */
  budget_state?: Record<string, unknown>;
  /** Whether untrusted web content had entered the episode when the call was decided. */
  tainted?: boolean;
}

/** The policy state of one episode: budgets, taint, answers remembered for the episode. */
export interface PolicySession {
  decide(call: PolicyCall, signal?: AbortSignal): Promise<PolicyDecision>;
  /** Counts what an allowed call consumed and marks taint; called after every executed call. */
  record(call: PolicyCall, usage: ToolUsage, taints: boolean, output: string): void;
  readonly tainted: boolean;
  /**
   * Whether a call already allowed may go on to `next` (a web_fetch redirect target), decided
   * by the rules with the episode's state now: null to follow, else the reason it may not.
   * Sessions without it let tools follow what their own guards allow.
   */
  checkFollow?(next: PolicyCall): string | null;
  /**
   * Whether a call already allowed may run a tool whose definition changed since it was
   * pinned (`mcp.on_definition_change`): refused, or asked as any `ask` is.
   */
  decideChange?(call: PolicyCall, reason: string, signal?: AbortSignal): Promise<ChangeDecision>;
}

export interface EpisodeContext {
  /** The user's prompt text, for rules that allow URLs the user named. */
  prompt: string;
  interactive: boolean;
  /**
   * Answers `ask` decisions when `interactive` is true. Without one, a prompter on the
   * terminal (`/dev/tty`) is used; when no terminal can be opened, `batch_ask` decides.
   */
  prompter?: Prompter;
}

export interface Policy {
  /** Path of the policy file, or a name such as `builtin:default`. */
  readonly file: string;
  readonly sha256: string | null;
  startEpisode(context: EpisodeContext): PolicySession;
}
