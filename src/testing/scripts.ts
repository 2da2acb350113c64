import { isPlainObject, safeJsonParse } from '../core/json.js';
import type { ChatMessage } from '../core/messages.js';
import { messageText, type Script, type ScriptReply } from './script.js';

/**
 * Replies with `replies[i]` to the i-th request the script sees (counting from 0) and throws
 * once they run out, which the scripted server turns into an HTTP 500 naming the problem.
 *
 * @example
 * const server = await startScriptedServer({
 *   script: sequenceScript([{ tool_calls: [{ name: 'calculator', arguments: { expression: '2+2' } }] }, { content: '4' }]),
 * });
 */
export function sequenceScript(replies: readonly ScriptReply[]): Script {
  let next = 0;
  return () => {
    const reply = replies[next];
    if (reply === undefined) {
      throw new Error(
        `sequenceScript has no reply for request ${next + 1}: only ${replies.length} were scripted`,
      );
    }
    next++;
    return reply;
  };
}

export interface ToolThenAnswerOptions {
  /** The tool to call. */
  tool: string;
  /** The call's arguments, from the user's prompt. */
  args: (prompt: string) => unknown;
  /** The final answer, from the tool's result text and the prompt. */
  answer: (toolResult: string, prompt: string) => string;
}

/**
 * A one-tool agent: when the conversation ends with a user message it calls `tool`; when it
 * ends with the tool's result it answers. A user message holding `<tool_response>…</tool_response>`
 * counts as a tool result too, so the script also works in prompted mode.
 *
 * @example
 * const script = toolThenAnswerScript({
 *   tool: 'web_search',
 *   args: (prompt) => ({ query: prompt }),
 *   answer: (result) => `Found: ${result}`,
 * });
 */
export function toolThenAnswerScript(options: ToolThenAnswerOptions): Script {
  return (request) => {
    const last = request.messages.at(-1);
    const prompt = userPrompt(request.messages);
    if (last?.role === 'tool') return { content: options.answer(messageText(last), prompt) };
    if (last?.role === 'user') {
      const response = toolResponseText(messageText(last));
      if (response !== null) return { content: options.answer(response, prompt) };
      return { tool_calls: [{ name: options.tool, arguments: options.args(prompt) }] };
    }
    throw new Error(
      `toolThenAnswerScript expects the last message to be a user or tool message, got ${last?.role ?? 'none'}`,
    );
  };
}

/**
 * Calls the `calculator` tool with the arithmetic of the prompt ("What is 123456789 *
 * 987654321?" → `{"expression": "123456789 * 987654321"}`), then answers with the tool's
 * result text verbatim.
 */
export function calculatorScript(options: { tool?: string } = {}): Script {
  return toolThenAnswerScript({
    tool: options.tool ?? 'calculator',
    args: (prompt) => ({ expression: extractExpression(prompt) }),
    answer: (result) => result,
  });
}

/**
 * The arithmetic in a question: what follows "what is", "compute" …, or else the longest run
 * of numbers, operators and function calls such as `sqrt(`.
 */
export function extractExpression(prompt: string): string {
  const text = prompt.trim();
  const asked = /^(?:what\s+is|what's|compute|calculate|evaluate)\s*:?\s*(.+?)[\s?.!]*$/is.exec(
    text,
  );
  if (asked?.[1]) return asked[1].trim();
  const runs = text.match(/(?:[a-z_][a-z0-9_]*\(|[\d\s.+\-*/^()%!])+/gi) ?? [];
  const best = runs
    .map((run) => run.trim())
    .filter((run) => /\d/.test(run))
    .sort((a, b) => b.length - a.length)[0];
  return best ?? text;
}

/** The last user message that is not a prompted-mode tool result. */
function userPrompt(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role !== 'user') continue;
    const text = messageText(message);
    if (toolResponseText(text) === null) return text;
  }
  return '';
}

/**
 * The tool result inside a prompted-mode `<tool_response>` block: the `content` of a JSON
 * `{"name", "content"}` body, or the block's text as it is.
 */
function toolResponseText(text: string): string | null {
  const match = /<tool_response>\s*([\s\S]*?)\s*<\/tool_response>/.exec(text);
  if (!match) return null;
  const inner = match[1] ?? '';
  const parsed = safeJsonParse(inner);
  if (parsed.ok && isPlainObject(parsed.value) && typeof parsed.value['content'] === 'string') {
    return parsed.value['content'];
  }
  return inner;
}
