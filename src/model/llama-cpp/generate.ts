import type { LlamaContextSequence, LlamaGrammar, LlamaModel, Token } from 'node-llama-cpp';
import { AssayError } from '../../core/errors.js';

type NodeLlamaCpp = typeof import('node-llama-cpp');

export interface GenerateOptions {
  tokens: Token[];
  maxTokens: number;
  temperature: number;
  topP: number;
  seed: number;
  stops: readonly string[];
  signal?: AbortSignal | undefined;
  /** Read each sampled token's probability (`--record-tokens`). */
  logprobs?: boolean | undefined;
  /**
   * Constrains a tool call's JSON: once the text ends with `trigger`, the grammar decides every
   * token until it is complete, then `suffix` closes the block.
   */
  toolGrammar?: { trigger: string; grammar: LlamaGrammar; suffix: string } | undefined;
}

export interface Generated {
  text: string;
  /** The sampled token ids, with the tool-call suffix's ids when the grammar closed a call. */
  completionIds: number[];
  /**
   * With `logprobs`, one per completion id: the log of the sampled token's probability as
   * node-llama-cpp reports it (`confidence`, after the sampling options; greedy decoding still
   * gets the model's probability, not 1). The suffix the grammar closes a call with is forced,
   * so its tokens get 0. Null without `logprobs`.
   */
  logprobs: number[] | null;
  promptTokens: number;
  completionTokens: number;
  finishReason: 'stop' | 'length';
  grammarUsed: boolean;
}

/**
 * Generates one answer on `sequence`. The part of the prompt already in the sequence's state
 * (the same episode's previous step) is kept, and only the rest is evaluated.
 */
export async function generate(
  lib: NodeLlamaCpp,
  model: LlamaModel,
  sequence: LlamaContextSequence,
  options: GenerateOptions,
): Promise<Generated> {
  const { tokens } = options;
  throwIfStopped(options.signal);
  const room = sequence.contextSize - tokens.length;
  if (room < 1) {
    throw new AssayError(
      'MODEL_BAD_RESPONSE',
      `the prompt has ${tokens.length} tokens, more than the context of ${sequence.contextSize}`,
      { details: { prompt_tokens: tokens.length, context_size: sequence.contextSize } },
    );
  }
  const maxTokens = Math.min(options.maxTokens, room);
  const input = await reusePrefix(sequence, tokens);
  const generated: Token[] = [];
  const logprobs: number[] = [];
  let finishReason: Generated['finishReason'] = 'length';
  let phaseInput = input;
  let grammarState: InstanceType<NodeLlamaCpp['LlamaGrammarEvaluationState']> | undefined;
  let grammarUsed = false;
  let text = '';
  // Two phases at most: free text, then (after the tool-call trigger) grammar-constrained JSON.
  for (let phase = 0; phase < 2 && generated.length < maxTokens; phase++) {
    let switchTo: Token | undefined;
    const evaluateOptions = {
      temperature: options.temperature,
      topP: options.topP,
      seed: options.seed + phase,
      ...(grammarState ? { grammarEvaluationState: grammarState } : {}),
    };
    // `confidence` is the sampled token's probability; asking for it alone skips the rest of
    // the vocabulary's probabilities.
    const stream = options.logprobs
      ? sequence.evaluateWithMetadata(phaseInput, { confidence: true }, evaluateOptions)
      : tokensOnly(sequence.evaluate(phaseInput, evaluateOptions));
    for await (const { token, confidence } of stream) {
      throwIfStopped(options.signal);
      if (model.isEogToken(token)) {
        finishReason = 'stop';
        break;
      }
      generated.push(token);
      if (options.logprobs) logprobs.push(logOf(confidence));
      if (options.stops.length > 0 || (options.toolGrammar && !grammarState)) {
        text = model.detokenize(generated);
        const stop = options.stops.find((s) => text.endsWith(s));
        if (stop !== undefined) {
          generated.pop();
          logprobs.length = generated.length;
          finishReason = 'stop';
          break;
        }
        if (options.toolGrammar && !grammarState && text.endsWith(options.toolGrammar.trigger)) {
          grammarState = new lib.LlamaGrammarEvaluationState({
            model,
            grammar: options.toolGrammar.grammar,
          });
          switchTo = token;
          break;
        }
      }
      if (generated.length >= maxTokens) break;
    }
    // node-llama-cpp ends the stream itself, without yielding it, when it samples an
    // end-of-generation token; a stream that ran out before max_tokens therefore stopped.
    if (switchTo === undefined && finishReason === 'length' && generated.length < maxTokens) {
      finishReason = 'stop';
    }
    if (switchTo === undefined) break;
    grammarUsed = true;
    phaseInput = [switchTo];
  }
  text = model.detokenize(generated);
  const completionIds: number[] = [...generated];
  if (grammarUsed && options.toolGrammar) {
    text += options.toolGrammar.suffix;
    const suffix = model.tokenize(options.toolGrammar.suffix, true);
    completionIds.push(...suffix);
    logprobs.push(...suffix.map(() => 0));
  }
  return {
    text,
    completionIds,
    logprobs: options.logprobs ? logprobs : null,
    promptTokens: tokens.length,
    completionTokens: generated.length,
    finishReason,
    grammarUsed,
  };
}

async function* tokensOnly(
  tokens: AsyncGenerator<Token, void, undefined | Token | Token[]>,
): AsyncGenerator<{ token: Token; confidence: number | undefined }> {
  for await (const token of tokens) yield { token, confidence: undefined };
}

/** A probability as a logprob; 0 (which the sampler never picks) is clamped to stay finite. */
function logOf(probability: number | undefined): number {
  return Math.log(Math.max(probability ?? 1, Number.MIN_VALUE));
}

/** Erases what differs from the new prompt and returns the tokens still to evaluate. */
async function reusePrefix(sequence: LlamaContextSequence, tokens: Token[]): Promise<Token[]> {
  const held = sequence.contextTokens;
  let same = 0;
  while (same < held.length && same < tokens.length && held[same] === tokens[same]) same++;
  // At least one token must be evaluated to get the next token's distribution.
  if (same === tokens.length) same--;
  if (same < sequence.nextTokenIndex) {
    await sequence.eraseContextTokenRanges([{ start: same, end: sequence.nextTokenIndex }]);
  }
  return tokens.slice(same);
}

function throwIfStopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AssayError('ABORTED', 'generation aborted');
}
