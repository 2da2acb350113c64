import type { TraceMessage, TraceRecord } from '../../trace/schema.js';
import { type ExportContext, toolDefinitions } from './context.js';
import { splitConversation } from './conversation.js';

/**
 * A row shaped like verifiers' `RolloutOutput` (legacy API): `example_id` is an integer per
 * task id (in order of appearance, the task id itself is in `info`), `prompt` and
 * `completion` are OpenAI chat messages (arguments stay JSON strings), plus `answer`,
 * `reward`, `metrics`, `info`, completion flags, `tool_defs`, `token_usage` and `timing`.
 */
export function toVerifiers(record: TraceRecord, ctx: ExportContext): Record<string, unknown> {
  const { prompt, completion } = splitConversation(record.messages);
  const taskKey = record.task_id ?? record.trace_id;
  let exampleId = ctx.exampleIds.get(taskKey);
  if (exampleId === undefined) {
    exampleId = ctx.exampleIds.size;
    ctx.exampleIds.set(taskKey, exampleId);
  }
  const failedCalls = record.tool_calls.filter((call) => !call.result.ok).length;
  return {
    example_id: exampleId,
    prompt: prompt.map(openAiMessage),
    completion: completion.map(openAiMessage),
    answer: record.verifier?.expected ?? '',
    reward: record.reward,
    metrics: {
      num_tool_calls: record.tool_calls.length,
      tool_errors: failedCalls,
      num_turns: completion.filter((m) => m.role === 'assistant').length,
    },
    info: {
      task_id: record.task_id,
      arm: record.arm,
      group_id: record.group_id,
      sample_index: record.sample_index,
      trace_id: record.trace_id,
      run_id: record.run_id,
      verifier:
        record.verifier === null
          ? null
          : {
              name: record.verifier.name,
              version: record.verifier.version,
              extracted: record.verifier.extracted,
              correct: record.verifier.correct,
            },
    },
    is_completed: record.outcome.status === 'completed',
    is_truncated: record.outcome.status === 'max_steps' || record.outcome.status === 'budget',
    stop_condition: record.outcome.stop_reason,
    tool_defs: toolDefinitions(record.tools, ctx),
    token_usage: {
      input_tokens: record.usage.prompt_tokens,
      output_tokens: record.usage.completion_tokens,
    },
    timing: { total_ms: record.timing.duration_ms },
    error: null,
  };
}

/** The message in plain OpenAI chat format, without assay's extra fields. */
export function openAiMessage(message: TraceMessage): Record<string, unknown> {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content,
        ...(message.reasoning_content === undefined
          ? {}
          : { reasoning_content: message.reasoning_content }),
        ...(message.tool_calls === undefined || message.tool_calls.length === 0
          ? {}
          : { tool_calls: message.tool_calls }),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: message.tool_call_id, content: message.content };
  }
}
