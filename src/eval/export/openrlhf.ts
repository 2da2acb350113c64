import type { TraceRecord } from '../../trace/schema.js';
import type { ExportContext } from './context.js';
import { splitConversation } from './conversation.js';
import { openAiMessage } from './verifiers-format.js';

/**
 * A row for OpenRLHF: `input` (the prompt messages; train with `--input_key input` and
 * `--apply_chat_template`), `output` (the completion messages, for SFT with `--output_key
 * output`), `label` (the expected answer, `--label_key label`, passed to reward functions as
 * `labels`) and `reward`.
 */
export function toOpenRlhf(record: TraceRecord, _ctx: ExportContext): Record<string, unknown> {
  const { prompt, completion } = splitConversation(record.messages);
  return {
    input: prompt.map(openAiMessage),
    output: completion.map(openAiMessage),
    label: record.verifier?.expected ?? null,
    reward: record.reward,
    task_id: record.task_id,
  };
}
