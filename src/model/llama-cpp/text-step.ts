import type { ModelStep, ToolFormat, ToolSpec } from '../../core/provider.js';
import { parseTextToolCalls } from '../dialects/index.js';
import { moveThinking } from '../think-tags.js';

/**
 * The step of a model whose whole reply is text: a leading think block moves to `reasoning`,
 * then tool calls written in `format` are parsed out of what is left. Calls drafted inside the
 * think block are never run.
 */
export function textStep(
  step: ModelStep,
  tools: readonly ToolSpec[],
  format: ToolFormat,
  newId: () => string,
): ModelStep {
  const split = moveThinking(step.text, step.reasoning);
  const base: ModelStep = { ...step, text: split.text, reasoning: split.reasoning };
  if (tools.length === 0) return base;
  const schemas = Object.fromEntries(tools.map((tool) => [tool.name, tool.parameters]));
  const parsed = parseTextToolCalls(
    base.text,
    tools.map((tool) => tool.name),
    format,
    { schemas, newId },
  );
  if (parsed.dialect === null) return base;
  const result: ModelStep = { ...base, text: parsed.text, dialect: parsed.dialect };
  if (parsed.rejected) result.rejected = parsed.rejected;
  if (parsed.reasoning) {
    result.reasoning = base.reasoning ? `${base.reasoning}\n${parsed.reasoning}` : parsed.reasoning;
  }
  if (parsed.calls.length > 0) {
    result.toolCalls = parsed.calls;
    result.toolCallSource = 'text';
    if (result.finishReason === 'stop') result.finishReason = 'tool_calls';
  }
  return result;
}
