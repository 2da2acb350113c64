import { isPlainObject, safeJsonParse } from '../../core/json.js';
import type { TraceMessage, TraceRecord, TraceToolCall } from '../../trace/schema.js';

/**
 * A trace's messages split for training. The episode loop only appends assistant and tool
 * messages (and harness nudges, which training text leaves out), so the prompt is everything
 * up to and including the last user message (system prompt and few-shot turns included) and
 * the completion is everything after it: the model's turns and the tool results between them.
 */
export interface SplitConversation {
  prompt: TraceMessage[];
  completion: TraceMessage[];
}

export function splitConversation(messages: readonly TraceMessage[]): SplitConversation {
  let lastUser = -1;
  messages.forEach((message, i) => {
    if (message.role === 'user') lastUser = i;
  });
  return { prompt: messages.slice(0, lastUser + 1), completion: messages.slice(lastUser + 1) };
}

/** The nudges assay wrote before it marked them with `harness: true` (older traces). */
const NUDGE_PREFIXES = [
  'Your reply was empty. Give your final answer, or call one of the tools.',
  'Your reply contained tool calls that were not run:\n',
];

/** A policy denial as the model saw it, minus the rule ids and reasons meant for operators. */
export const DENIED_TEXT = 'This call was not allowed.';

export function isHarnessMessage(message: TraceMessage): boolean {
  if (message.role !== 'user') return false;
  return message['harness'] === true || NUDGE_PREFIXES.some((p) => message.content.startsWith(p));
}

/**
 * The conversation as training text. What the harness, not the model or the task, put into it
 * stays out, so that every sample of a group has the same prompt and no row teaches a move the
 * harness had to correct:
 * - a harness nudge is dropped together with the assistant turn it answered (an empty reply,
 *   or tool-call markup that could not be run);
 * - a call that was never run (a repeat the loop guard refused, a call in an arm without tools)
 *   is dropped from its assistant turn with its result, and a turn left with nothing is dropped;
 * - a policy denial keeps its call, but the result says only `This call was not allowed.`,
 *   without the rule id and reason;
 * - `content: null` becomes `""`, since chat templates concatenate it.
 */
export function trainingMessages(record: TraceRecord): TraceMessage[] {
  const calls = new Map(record.tool_calls.map((call) => [call.id, call]));
  const dropped = new Set<string>();
  const out: TraceMessage[] = [];
  for (const message of record.messages) {
    if (isHarnessMessage(message)) {
      if (out.at(-1)?.role === 'assistant') out.pop();
      continue;
    }
    if (message.role === 'assistant') {
      const kept = (message.tool_calls ?? []).filter((part) => {
        const call = calls.get(part.id);
        const run = call === undefined || !neverRun(call, record.tools_enabled);
        if (!run) dropped.add(part.id);
        return run;
      });
      const content = message.content ?? '';
      if (kept.length === 0 && content === '' && (message.tool_calls ?? []).length > 0) continue;
      const { tool_calls: _calls, ...rest } = message;
      out.push(kept.length > 0 ? { ...rest, content, tool_calls: kept } : { ...rest, content });
      continue;
    }
    if (message.role === 'tool') {
      if (dropped.has(message.tool_call_id)) continue;
      const call = calls.get(message.tool_call_id);
      if (call?.policy?.decision === 'deny') {
        out.push({ ...message, content: DENIED_TEXT });
        continue;
      }
    }
    out.push(message);
  }
  return out;
}

function neverRun(call: TraceToolCall, toolsEnabled: boolean): boolean {
  const code = call.result.error?.code;
  return (
    !toolsEnabled ||
    call.policy?.decision === 'unrequested' ||
    code === 'REPEATED_CALL' ||
    code === 'UNREQUESTED_CALL'
  );
}

/**
 * Tool-call arguments as an object: the JSON object the model wrote, else the arguments the
 * call ran with (after repair), else `{}`. Chat templates index arguments as a mapping (Llama
 * 3.1 writes them with `tojson`, Qwen's with `tojson` when not a string), so a string here
 * would be encoded twice or break the template.
 */
export function argumentsObject(text: string, call?: TraceToolCall): Record<string, unknown> {
  const parsed = safeJsonParse(text);
  if (parsed.ok && isPlainObject(parsed.value)) return parsed.value;
  if (call !== undefined && isPlainObject(call.arguments)) return call.arguments;
  return {};
}

/** Maps tool_call ids to the tool names the assistant used, for tool messages without a name. */
export function toolNamesById(messages: readonly TraceMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    for (const call of message.tool_calls ?? []) names.set(call.id, call.function.name);
  }
  return names;
}
