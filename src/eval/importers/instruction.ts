/**
 * The instruction importers append to math prompts by default. It asks for the format the
 * `math` verifier reads first, as the Qwen and DeepSeek math evaluations do.
 */
export const BOXED_INSTRUCTION =
  'Please reason step by step, and put your final answer within \\boxed{}.';

export interface ImportOptions {
  /** Text appended to each prompt after a blank line; `null` keeps the question as it is. */
  instruction?: string | null;
  signal?: AbortSignal;
}

export function withInstruction(question: string, options: ImportOptions): string {
  const instruction = options.instruction === undefined ? BOXED_INSTRUCTION : options.instruction;
  return instruction === null || instruction === ''
    ? question
    : `${question.trimEnd()}\n\n${instruction}`;
}
