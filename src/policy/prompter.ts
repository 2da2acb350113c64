/** One `ask` decision put to a person: the tool and its exact arguments. */
export interface AskRequest {
  tool: string;
  /** The parsed arguments the tool would run with, unchanged. */
  args: Record<string, unknown>;
  /** The exact host of the `url` argument, when the call has one. */
  host: string | null;
  /** The id of the rule that asks. */
  rule: string;
  /** Why the rule asks. */
  reason: string;
  step: number;
}

/**
 * A person's answer: run it once, run calls like it for the rest of the episode, or refuse.
 * `unavailable` means there was nobody to ask (no terminal), and `batch_ask` decides instead.
 */
export type AskAnswer =
  | { answer: 'once' }
  | { answer: 'episode' }
  | { answer: 'deny'; reason?: string }
  | { answer: 'unavailable'; reason: string };

/**
 * Asks a person about a call. The policy session calls it only for `ask` decisions in
 * interactive episodes; tests inject scripted prompters.
 */
export interface Prompter {
  ask(request: AskRequest, signal?: AbortSignal): Promise<AskAnswer>;
}
