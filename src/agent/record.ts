import { randomUUID } from 'node:crypto';
import type { ChatMessage } from '../core/messages.js';
import { assayVersion } from '../core/package-root.js';
import type { ModelInfo, Sampling, ToolSpec, Usage } from '../core/provider.js';
import { tokensExtend } from '../model/token-ids.js';
import type { Policy } from '../policy/types.js';
import type { OutcomeStatus, TraceError, TraceRecord, TraceToolCall } from '../trace/schema.js';
import { TRACE_SCHEMA_VERSION } from '../trace/schema.js';

/** Where an episode sits in a run: ids for grouping, pairing and resuming. */
export interface EpisodeIds {
  trace_id?: string;
  run_id?: string;
  task_id?: string | null;
  arm?: string | null;
  group_id?: string | null;
  sample_index?: number;
  attempt?: number;
}

export interface TurnRecord {
  index: number;
  finish_reason: string | null;
  usage: Usage;
  latency_ms: number;
  tool_call_source: 'native' | 'text' | null;
  dialect: string | null;
}

export interface RecordInput {
  ids: EpisodeIds;
  model: ModelInfo;
  sampling: Sampling;
  tools: readonly string[];
  /** The schemas advertised, kept so exports can give trainers the exact tool definitions. */
  toolSpecs: readonly ToolSpec[];
  messages: readonly ChatMessage[];
  toolCalls: readonly TraceToolCall[];
  turns: readonly TurnRecord[];
  finalAnswer: string | null;
  status: OutcomeStatus;
  stopReason: string;
  error: TraceError | null;
  usage: Usage;
  startedAt: Date;
  endedAt: Date;
  policy: Policy;
}

let versionCache: string | undefined;

export function newTraceId(): string {
  return randomUUID();
}

/** Builds the v1 trace record of one episode (unscored: reward and verifier are null). */
export function buildTraceRecord(input: RecordInput): TraceRecord {
  versionCache ??= assayVersion();
  const { ids } = input;
  return {
    schema_version: TRACE_SCHEMA_VERSION,
    trace_id: ids.trace_id ?? newTraceId(),
    run_id: ids.run_id ?? newTraceId(),
    task_id: ids.task_id ?? null,
    arm: ids.arm ?? null,
    group_id: ids.group_id ?? null,
    sample_index: ids.sample_index ?? 0,
    attempt: ids.attempt ?? 0,
    model: { ...input.model },
    sampling: {
      temperature: input.sampling.temperature ?? null,
      top_p: input.sampling.top_p ?? null,
      seed: input.sampling.seed ?? null,
      max_tokens: input.sampling.max_tokens ?? null,
      // Optional in v1: written only when an effort was asked for.
      ...(input.sampling.reasoning_effort === undefined
        ? {}
        : { reasoning_effort: input.sampling.reasoning_effort }),
    },
    tools_enabled: input.tools.length > 0,
    tools: [...input.tools],
    messages: input.messages.map((m) => ({ ...m })),
    tool_calls: [...input.toolCalls],
    final_answer: input.finalAnswer,
    outcome: { status: input.status, stop_reason: input.stopReason },
    error: input.error,
    reward: null,
    verifier: null,
    usage: { ...input.usage },
    timing: {
      started_at: input.startedAt.toISOString(),
      ended_at: input.endedAt.toISOString(),
      duration_ms: Math.max(0, input.endedAt.getTime() - input.startedAt.getTime()),
    },
    runtime: { assay_version: versionCache, node: process.version },
    policy: { file: input.policy.file, sha256: input.policy.sha256 },
    turns: input.turns.map((t) => ({ ...t })),
    tool_specs: [...input.toolSpecs],
    ...tokensFlag(input.messages),
  };
}

/**
 * With token ids recorded, whether each turn's prompt extends the previous turn's prompt and
 * completion (`tokens_consistent`); false means the template re-rendered history, and the
 * episode cannot be trained on as one token sequence. Absent when no turn has ids, or a
 * turn has no prompt ids (llama.cpp's server), so it cannot be told.
 */
function tokensFlag(messages: readonly ChatMessage[]): { tokens_consistent?: boolean } {
  const turns = messages.flatMap((m) => (m.role === 'assistant' && m.tokens ? [m.tokens] : []));
  const extend = turns.length === 0 ? null : tokensExtend(turns);
  return extend === null ? {} : { tokens_consistent: extend };
}
