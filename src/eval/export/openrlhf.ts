import type { TraceRecord } from '../../trace/schema.js';
import { type ExportContext, offeredTools, templateMessage } from './context.js';
import { splitConversation, toolNamesById, trainingMessages } from './conversation.js';

/**
 * A row for OpenRLHF: `input` (the prompt messages: `--data.input_key input
 * --data.apply_chat_template`), `output` (the completion messages, for SFT), `tools` (OpenAI
 * function schemas, `--data.tools_key tools`, handed to the chat template so the model sees
 * them), `label` (the expected answer, `--data.label_key label`, passed to reward functions)
 * and `reward`. Messages are shaped as chat templates index them (see `templateMessage`).
 */
export function toOpenRlhf(record: TraceRecord, ctx: ExportContext): Record<string, unknown> {
  const { prompt, completion } = splitConversation(trainingMessages(record));
  const names = toolNamesById(record.messages);
  return {
    input: prompt.map((m) => templateMessage(m, record, names)),
    output: completion.map((m) => templateMessage(m, record, names)),
    tools: offeredTools(record, ctx),
    label: record.verifier?.expected ?? null,
    reward: record.reward,
    task_id: record.task_id,
    arm: record.arm,
    group_id: record.group_id,
  };
}
