import type { TraceRecord } from '../../trace/schema.js';
import { type ExportContext, offeredTools, templateMessage } from './context.js';
import { splitConversation, toolNamesById, trainingMessages } from './conversation.js';

/**
 * TRL's conversational prompt-completion row for SFTTrainer: `prompt` and `completion` are
 * message lists (see `templateMessage`), `tools` the advertised tools as OpenAI function
 * schemas, which SFTTrainer passes to the chat template. The completion holds tool results
 * between the model's turns; train with `assistant_only_loss=True` (and a template with
 * `{% generation %}` markers) so that only the assistant's tokens carry loss. `task_id`,
 * `arm`, `answer`, `group_id` and `reward` are extra columns for filtering; for GRPO use the
 * `trl-grpo` rows, which leave the recorded reward out.
 */
export function toTrl(record: TraceRecord, ctx: ExportContext): Record<string, unknown> {
  const messages = trainingMessages(record);
  const { prompt, completion } = splitConversation(messages);
  const names = toolNamesById(record.messages);
  return {
    prompt: prompt.map((m) => templateMessage(m, record, names)),
    completion: completion.map((m) => templateMessage(m, record, names)),
    tools: offeredTools(record, ctx),
    task_id: record.task_id,
    arm: record.arm,
    answer: record.verifier?.expected ?? null,
    group_id: record.group_id,
    reward: record.reward,
  };
}

/**
 * A prompt-only row for TRL's GRPOTrainer, one per group (task × arm × run): the prompt the
 * samples started from, the tools, and `answer` for reward functions (TRL passes it to them as
 * a keyword argument). Recorded rewards stay out: GRPO computes its own.
 */
export function toTrlGrpo(record: TraceRecord, ctx: ExportContext): Record<string, unknown> {
  const { prompt } = splitConversation(trainingMessages(record));
  const names = toolNamesById(record.messages);
  return {
    prompt: prompt.map((m) => templateMessage(m, record, names)),
    tools: offeredTools(record, ctx),
    answer: record.verifier?.expected ?? null,
    task_id: record.task_id,
    arm: record.arm,
    group_id: record.group_id,
  };
}
