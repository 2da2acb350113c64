import { throwIfAborted } from '../core/abort.js';
import type { ModelProvider, ModelRequest, ModelStep } from '../core/provider.js';
import { moveThinking } from '../model/think-tags.js';
import { estimateTokens, type Script, type ScriptRequest, scriptArguments } from './script.js';

/**
 * A model provider that answers from `script` in-process: no HTTP, no parsing, no waiting.
 * Calls come back as native calls with generated ids (`call_1`, `call_2` …, unique for the
 * provider's lifetime). For unit tests of the agent loop and for benchmarks; use
 * `startScriptedServer` to test the HTTP path.
 *
 * @example
 * const model = createScriptedModel(calculatorScript());
 */
export function createScriptedModel(
  script: Script,
  options: { name?: string } = {},
): ModelProvider {
  const name = options.name ?? 'scripted';
  let calls = 0;
  return {
    info: { provider: 'scripted', name, base_url: null },
    async step(request: ModelRequest): Promise<ModelStep> {
      throwIfAborted(request.signal);
      const reply = await script(toScriptRequest(request, name));
      throwIfAborted(request.signal);
      const toolCalls = (reply.tool_calls ?? []).map((call) => ({
        id: `call_${++calls}`,
        name: call.name,
        arguments: scriptArguments(call.arguments),
      }));
      // Like a server without a reasoning parser: a leading think block becomes reasoning.
      const { text, reasoning } = moveThinking(reply.content ?? '', reply.reasoning ?? null);
      let prompt = 0;
      for (const message of request.messages) prompt += (message.content ?? '').length;
      return {
        text,
        reasoning,
        toolCalls,
        toolCallSource: toolCalls.length > 0 ? 'native' : null,
        dialect: null,
        usage: {
          prompt_tokens: Math.ceil(prompt / 4),
          completion_tokens: estimateTokens(
            text + toolCalls.map((c) => c.name + c.arguments).join(''),
          ),
        },
        finishReason: reply.finish_reason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
      };
    },
  };
}

function toScriptRequest(request: ModelRequest, model: string): ScriptRequest {
  const messages = [...request.messages];
  const tools = request.tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
  }));
  const script: ScriptRequest = {
    model,
    messages,
    tools,
    stream: false,
    body: { model, messages, tools, stream: false, ...request.sampling },
  };
  const { temperature, top_p, seed, max_tokens } = request.sampling;
  if (temperature !== undefined) script.temperature = temperature;
  if (top_p !== undefined) script.top_p = top_p;
  if (seed !== undefined) script.seed = seed;
  if (max_tokens !== undefined) script.max_tokens = max_tokens;
  return script;
}
