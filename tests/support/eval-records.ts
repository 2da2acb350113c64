import type { TraceRecord, TraceToolCall } from '../../src/trace/schema.js';

export interface RecordFields {
  task: string;
  arm?: string;
  sample?: number;
  attempt?: number;
  reward?: number | null;
  extracted?: string | null;
  infra?: boolean;
  finalAnswer?: string | null;
  toolCalls?: TraceToolCall[];
  promptTokens?: number;
  completionTokens?: number;
  durationMs?: number;
  runId?: string;
}

/**
 * A valid v1 trace record of an eval episode, for statistics, scoring and export tests. A
 * non-null reward gets a matching `verifier` block; `infra: true` makes it an infra error.
 */
export function evalRecord(fields: RecordFields): TraceRecord {
  const arm = fields.arm ?? 'tools';
  const sample = fields.sample ?? 0;
  const attempt = fields.attempt ?? 0;
  const infra = fields.infra ?? false;
  const reward = infra ? null : fields.reward === undefined ? 1 : fields.reward;
  const finalAnswer =
    fields.finalAnswer === undefined ? (infra ? null : 'The answer is 4.') : fields.finalAnswer;
  const duration = fields.durationMs ?? 100;
  const started = Date.UTC(2026, 0, 1, 0, 0, 0);
  return {
    schema_version: 1,
    trace_id: `${fields.task}-${arm}-${sample}-${attempt}`,
    run_id: fields.runId ?? 'run-1',
    task_id: fields.task,
    arm,
    group_id: `${fields.task}:${arm}`,
    sample_index: sample,
    attempt,
    model: { provider: 'openai-compatible', name: 'scripted', base_url: 'http://127.0.0.1:1/v1' },
    sampling: { temperature: 0.7, top_p: null, seed: sample, max_tokens: null },
    tools_enabled: arm === 'tools',
    tools: arm === 'tools' ? ['calculator'] : [],
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: `Task ${fields.task}?` },
      ...(finalAnswer === null ? [] : [{ role: 'assistant' as const, content: finalAnswer }]),
    ],
    tool_calls: fields.toolCalls ?? [],
    final_answer: finalAnswer,
    outcome: infra
      ? { status: 'error', stop_reason: 'infra_error' }
      : { status: 'completed', stop_reason: 'final_answer' },
    error: infra
      ? { class: 'infra', code: 'MODEL_UNREACHABLE', message: 'connection refused' }
      : null,
    reward,
    verifier:
      reward === null
        ? null
        : {
            name: 'math',
            version: '1',
            extracted:
              fields.extracted === undefined ? (reward >= 0.5 ? '4' : '5') : fields.extracted,
            expected: '4',
            correct: reward >= 0.5,
            details: {},
          },
    usage: {
      prompt_tokens: fields.promptTokens ?? 10,
      completion_tokens: fields.completionTokens ?? 5,
    },
    timing: {
      started_at: new Date(started).toISOString(),
      ended_at: new Date(started + duration).toISOString(),
      duration_ms: duration,
    },
    runtime: { assay_version: '0.1.0', node: 'v20.20.2' },
    policy: { file: null, sha256: null },
  };
}

/** A tool call record; `decision` null means the call was not policy-checked. */
export function toolCall(
  name: string,
  ok: boolean,
  decision: 'allow' | 'deny' | 'unrequested' | null = 'allow',
  step = 0,
): TraceToolCall {
  return {
    id: `call-${name}-${step}`,
    step,
    name,
    arguments: { expression: '2+2' },
    policy: decision === null ? null : { decision, rule: null, reason: decision, clamps: null },
    result: ok
      ? { ok: true, content: '4' }
      : { ok: false, content: 'error', error: { code: 'BAD', message: 'bad' } },
    duration_ms: 1,
  };
}
