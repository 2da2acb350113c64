import { createHash } from 'node:crypto';
import type { TraceMessage, TraceRecord } from '../../trace/schema.js';
import { type ExportContext, toolSchemas } from './context.js';
import { argumentsObject, splitConversation, trainingMessages } from './conversation.js';

/**
 * A row shaped like the current verifiers `RolloutOutput` (verifiers/types.py): `example_id`
 * an integer per group (task × arm × run), derived from `group_id` so that it is the same in
 * every export of the file and verifiers' grouping never mixes the tools and no-tools arms;
 * messages in verifiers' own shape (flat tool calls `{id, name, arguments}` with arguments as
 * a JSON object's text, `content` never null); `tool_defs` flat `{name, description,
 * parameters}`; `timing` in seconds as `RolloutTiming` spans; `token_usage`; `error` as
 * `ErrorData` or null. assay's own ids go in `info`.
 */
export function toVerifiers(record: TraceRecord, ctx: ExportContext): Record<string, unknown> {
  const { prompt, completion } = splitConversation(trainingMessages(record));
  const failedCalls = record.tool_calls.filter((call) => !call.result.ok).length;
  const start = Date.parse(record.timing.started_at) / 1000;
  const end = Date.parse(record.timing.ended_at) / 1000;
  return {
    example_id: cachedExampleId(record.group_id ?? record.trace_id, ctx),
    prompt: prompt.map((m) => verifiersMessage(m, record)),
    completion: completion.map((m) => verifiersMessage(m, record)),
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
    tool_defs: toolSchemas(record.tools, ctx),
    token_usage: {
      input_tokens: record.usage.prompt_tokens,
      output_tokens: record.usage.completion_tokens,
    },
    // assay times the whole episode and scores after it; the scoring span is left empty.
    timing: {
      start_time: start,
      setup: { start, end: start },
      generation: { start, end },
      scoring: { start: end, end },
      model: { spans: [] },
      env: { spans: [] },
    },
    error: null,
  };
}

function cachedExampleId(key: string, ctx: ExportContext): number {
  let id = ctx.exampleIds.get(key);
  if (id === undefined) {
    id = exampleId(key);
    ctx.exampleIds.set(key, id);
  }
  return id;
}

/** A stable integer from a hex group id (48 bits: exact in JSON and in Python). */
export function exampleId(key: string): number {
  const hex = /^[0-9a-f]{12,}$/.test(key) ? key : hexOf(key);
  return Number.parseInt(hex.slice(0, 12), 16);
}

function hexOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function verifiersMessage(message: TraceMessage, record: TraceRecord): Record<string, unknown> {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'assistant': {
      const out: Record<string, unknown> = { role: 'assistant', content: message.content ?? '' };
      if (message.reasoning_content !== undefined)
        out['reasoning_content'] = message.reasoning_content;
      if (message.tool_calls !== undefined && message.tool_calls.length > 0) {
        out['tool_calls'] = message.tool_calls.map((part) => ({
          id: part.id,
          name: part.function.name,
          arguments: JSON.stringify(
            argumentsObject(
              part.function.arguments,
              record.tool_calls.find((c) => c.id === part.id),
            ),
          ),
        }));
      }
      return out;
    }
    case 'tool':
      return { role: 'tool', tool_call_id: message.tool_call_id, content: message.content };
  }
}
