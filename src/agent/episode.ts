import { AssayError, errorMessage } from '../core/errors.js';
import type { AssistantMessage, ChatMessage } from '../core/messages.js';
import type { ModelProvider, ModelStep, Sampling, Usage } from '../core/provider.js';
import type { AnyToolDefinition } from '../core/tool.js';
import type { Policy } from '../policy/types.js';
import type { OutcomeStatus, TraceError, TraceRecord, TraceToolCall } from '../trace/schema.js';
import { type ArtifactSink, dispatchToolCall, unrequestedToolCall } from './dispatch.js';
import type { AgentEventHandler } from './events.js';
import { LoopGuard } from './loop-guard.js';
import { DEFAULT_MAX_STEPS } from './max-steps.js';
import { buildTraceRecord, type EpisodeIds, newTraceId, type TurnRecord } from './record.js';
import { EpisodeResourcePool } from './resources.js';
import { toolSpecs } from './tool-specs.js';

export { DEFAULT_MAX_STEPS };

export interface EpisodeOptions {
  model: ModelProvider;
  /** The task: a prompt, or a whole conversation to continue. */
  prompt?: string;
  messages?: readonly ChatMessage[];
  system?: string;
  /** The tools advertised and runnable in this episode, by name. Empty: a no-tools episode. */
  tools: Readonly<Record<string, AnyToolDefinition>>;
  policy: Policy;
  maxSteps?: number;
  sampling?: Sampling;
  /** Record each turn's prompt and completion token ids and logprobs (`--record-tokens`). */
  recordTokens?: boolean;
  signal?: AbortSignal;
  /** Whether a person can answer policy `ask` prompts. */
  interactive?: boolean;
  ids?: EpisodeIds;
  onEvent?: AgentEventHandler;
  artifactSink?: (traceId: string) => ArtifactSink;
}

type Stop = { status: OutcomeStatus; reason: string; error?: TraceError };

/**
 * Runs one episode to its end and returns its trace record. It never throws for what the
 * model does or for infrastructure faults: those end the episode with `outcome.status` and
 * `error` set. It throws only for bad options (a programming error of the caller).
 */
export async function runEpisode(options: EpisodeOptions): Promise<TraceRecord> {
  const startedAt = new Date();
  const traceId = options.ids?.trace_id ?? newTraceId();
  const ids: EpisodeIds = { ...options.ids, trace_id: traceId };
  const messages = initialMessages(options);
  const toolNames = Object.keys(options.tools);
  const specs = toolSpecs(Object.values(options.tools));
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const sampling = options.sampling ?? {};
  const prompt = messages
    .filter((m) => m.role === 'user')
    .map((m) => m.content)
    .join('\n');
  const session = options.policy.startEpisode({
    prompt,
    interactive: options.interactive ?? false,
  });
  const resources = new EpisodeResourcePool();
  const guard = new LoopGuard();
  const toolCalls: TraceToolCall[] = [];
  const turns: TurnRecord[] = [];
  const usage: Usage = { prompt_tokens: 0, completion_tokens: 0 };
  const signal = options.signal ?? new AbortController().signal;
  const emit = options.onEvent ?? (() => {});
  const artifactSink = options.artifactSink?.(traceId);
  let finalAnswer: string | null = null;
  let stop: Stop | undefined;
  let emptyNudged = false;
  let rejectedNudged = false;
  let budgetDenials = 0;

  try {
    for (let step = 0; !stop; step++) {
      if (signal.aborted) {
        stop = { status: 'aborted', reason: 'aborted' };
        break;
      }
      if (step >= maxSteps) {
        stop = { status: 'max_steps', reason: `max_steps (${maxSteps})` };
        break;
      }
      emit({ type: 'step_start', step });
      const t0 = performance.now();
      const result: ModelStep = await options.model.step({
        messages,
        tools: specs,
        sampling,
        signal,
        ...(options.recordTokens === true ? { recordTokens: true } : {}),
      });
      const latency = performance.now() - t0;
      emit({ type: 'model_step', step, result, latency_ms: latency });
      usage.prompt_tokens += result.usage.prompt_tokens;
      usage.completion_tokens += result.usage.completion_tokens;
      turns.push({
        index: step,
        finish_reason: result.finishReason,
        usage: result.usage,
        latency_ms: latency,
        tool_call_source: result.toolCallSource,
        dialect: result.dialect,
      });

      // Providers return reasoning apart from the text (think blocks included).
      const answer = result.text.trim();
      const reasoning = result.reasoning ?? '';
      const assistant: AssistantMessage = {
        role: 'assistant',
        content: answer.length > 0 ? answer : null,
      };
      if (result.tokens !== undefined) assistant.tokens = result.tokens;
      if (result.toolCalls.length > 0) {
        assistant.tool_calls = result.toolCalls.map((c) => ({
          id: c.id,
          type: 'function' as const,
          function: { name: c.name, arguments: c.arguments },
        }));
      }
      if (reasoning.length > 0) assistant.reasoning_content = reasoning;
      messages.push(assistant);

      if (result.toolCalls.length === 0) {
        if (
          result.rejected &&
          result.rejected.length > 0 &&
          toolNames.length > 0 &&
          !rejectedNudged
        ) {
          rejectedNudged = true;
          messages.push({
            role: 'user',
            content: rejectedCallsMessage(result.rejected, toolNames),
            harness: true,
          });
        } else if (answer.length > 0) {
          finalAnswer = answer;
          stop = { status: 'completed', reason: 'final_answer' };
        } else if (!emptyNudged) {
          emptyNudged = true;
          messages.push({
            role: 'user',
            content: 'Your reply was empty. Give your final answer, or call one of the tools.',
            harness: true,
          });
        } else {
          stop = {
            status: 'error',
            reason: 'empty_reply',
            error: {
              class: 'model',
              code: 'EMPTY_REPLY',
              message: 'the model replied with nothing twice',
            },
          };
        }
        continue;
      }

      for (const modelCall of result.toolCalls) {
        const dispatched =
          toolNames.length === 0
            ? unrequestedToolCall(modelCall, step)
            : await dispatchToolCall(modelCall, {
                tools: options.tools,
                policy: session,
                resources,
                guard,
                episodeId: traceId,
                step,
                signal,
                artifactSink,
              });
        toolCalls.push(dispatched.call);
        messages.push(dispatched.message);
        emit({ type: 'tool_call', step, call: dispatched.call });
        if (dispatched.stop === 'loop_guard') {
          stop = { status: 'max_steps', reason: 'loop_guard' };
        }
        budgetDenials = dispatched.budget !== undefined ? budgetDenials + 1 : 0;
        if (budgetDenials >= 3) stop = { status: 'budget', reason: `budget:${dispatched.budget}` };
      }
    }
  } catch (error) {
    stop = stopForError(error, signal);
  } finally {
    await resources.disposeAll((key, message) =>
      emit({ type: 'warning', message: `could not dispose ${key}: ${message}` }),
    );
  }

  const record = buildTraceRecord({
    ids,
    model: options.model.info,
    sampling,
    tools: toolNames,
    toolSpecs: specs,
    messages,
    toolCalls,
    turns,
    finalAnswer,
    status: stop.status,
    stopReason: stop.reason,
    error: stop.error ?? null,
    usage,
    startedAt,
    endedAt: new Date(),
    policy: options.policy,
  });
  emit({ type: 'episode_end', record });
  return record;
}

function initialMessages(options: EpisodeOptions): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (options.system !== undefined) messages.push({ role: 'system', content: options.system });
  if (options.messages) messages.push(...options.messages.map((m) => ({ ...m })));
  if (options.prompt !== undefined) messages.push({ role: 'user', content: options.prompt });
  if (!messages.some((m) => m.role === 'user')) {
    throw new AssayError('INPUT_INVALID', 'an episode needs a prompt or at least one user message');
  }
  return messages;
}

/** Tells the model why tool-call markup in its reply was not run. */
function rejectedCallsMessage(
  rejected: readonly { name: string | null; reason: string }[],
  toolNames: readonly string[],
): string {
  const reasons = rejected.map((r) => `- ${r.name ?? '(no name)'}: ${r.reason}`).join('\n');
  return `Your reply contained tool calls that were not run:\n${reasons}\nThe available tools are: ${toolNames.join(', ')}. Call one of them with complete JSON arguments, or give your final answer without tool-call markup.`;
}

function stopForError(error: unknown, signal: AbortSignal): Stop {
  if (signal.aborted || (error instanceof AssayError && error.code === 'ABORTED')) {
    return { status: 'aborted', reason: 'aborted' };
  }
  if (error instanceof AssayError) {
    return {
      status: 'error',
      reason: error.code,
      error: { class: error.errorClass, code: error.code, message: error.message },
    };
  }
  return {
    status: 'error',
    reason: 'INTERNAL',
    error: { class: 'harness', code: 'INTERNAL', message: errorMessage(error) },
  };
}
