import { z } from 'zod';

/**
 * The v1 trace record: one JSON object per line, one line per episode. The fields listed here
 * are the public contract of docs/trace.md; extra fields are allowed (`z.looseObject`)
 * so newer writers stay readable.
 *
 * Changelog: 1 — first version. Optional fields added since, still version 1: `harness` on
 * user messages, `tokens` on assistant messages and `tokens_consistent` on the record
 * (`--record-tokens`); see docs/exports.md.
 */
export const TRACE_SCHEMA_VERSION = 1;

const toolCallPart = z.strictObject({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.strictObject({ name: z.string(), arguments: z.string() }),
});

export const traceMessageSchema = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content: z.string() }),
  // `harness: true` marks a nudge assay wrote, not the task's words (optional, added in v1).
  z.looseObject({ role: z.literal('user'), content: z.string(), harness: z.boolean().optional() }),
  z.looseObject({
    role: z.literal('assistant'),
    content: z.string().nullable(),
    tool_calls: z.array(toolCallPart).optional(),
    reasoning_content: z.string().optional(),
    // `--record-tokens` (optional, added in v1): what this turn read and sampled, as token ids.
    tokens: z
      .object({
        prompt_ids: z.array(z.number().int().nonnegative()).nullable(),
        completion_ids: z.array(z.number().int().nonnegative()),
        logprobs: z.array(z.number()).nullable(),
      })
      .optional(),
  }),
  z.looseObject({
    role: z.literal('tool'),
    tool_call_id: z.string().min(1),
    content: z.string(),
    name: z.string().optional(),
    is_error: z.boolean().optional(),
  }),
]);

const limitsSchema = z.looseObject({
  timeout_ms: z.number(),
  memory_mb: z.number(),
  cpus: z.number(),
  output_bytes: z.number(),
  network: z.boolean(),
  private_network: z.array(z.string()).optional(),
});

export const tracePolicyDecisionSchema = z.looseObject({
  decision: z.enum(['allow', 'deny', 'unrequested']),
  rule: z.string().nullable(),
  reason: z.string(),
  clamps: limitsSchema.nullable(),
});

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits');

export const traceArtifactSchema = z.looseObject({
  name: z.string(),
  mime_type: z.string(),
  path: z.string(),
  sha256: sha256Schema,
  bytes: z.number().int().nonnegative(),
});

export const traceToolCallSchema = z.looseObject({
  id: z.string().min(1),
  step: z.number().int().nonnegative(),
  name: z.string(),
  arguments: z.unknown(),
  policy: tracePolicyDecisionSchema.nullable(),
  result: z.looseObject({
    ok: z.boolean(),
    content: z.string(),
    error: z.looseObject({ code: z.string(), message: z.string() }).optional(),
    artifacts: z.array(traceArtifactSchema).optional(),
  }),
  duration_ms: z.number().nonnegative(),
});

export const errorClassSchema = z.enum(['infra', 'model', 'tool', 'policy', 'verifier', 'harness']);

export const traceErrorSchema = z.looseObject({
  class: errorClassSchema,
  code: z.string(),
  message: z.string(),
});

export const outcomeStatusSchema = z.enum(['completed', 'max_steps', 'budget', 'aborted', 'error']);

const nullableNumber = z.number().nullable();

const traceRecordObject = z.looseObject({
  schema_version: z.literal(TRACE_SCHEMA_VERSION),
  trace_id: z.string().min(1),
  run_id: z.string().min(1),
  task_id: z.string().nullable(),
  arm: z.string().nullable(),
  group_id: z.string().nullable(),
  sample_index: z.number().int().nonnegative(),
  attempt: z.number().int().nonnegative(),
  model: z.looseObject({
    provider: z.string(),
    name: z.string(),
    base_url: z.string().nullable(),
  }),
  sampling: z.looseObject({
    temperature: nullableNumber,
    top_p: nullableNumber,
    seed: z.number().int().nullable(),
    max_tokens: z.number().int().nullable(),
    // `--reasoning-effort` or an arm's `@effort:…` (optional, added in v1).
    reasoning_effort: z.enum(['low', 'medium', 'high']).optional(),
  }),
  tools_enabled: z.boolean(),
  tools: z.array(z.string()),
  messages: z.array(traceMessageSchema),
  tool_calls: z.array(traceToolCallSchema),
  final_answer: z.string().nullable(),
  outcome: z.looseObject({
    status: outcomeStatusSchema,
    stop_reason: z.string(),
  }),
  error: traceErrorSchema.nullable(),
  reward: z.number().nullable(),
  verifier: z
    .looseObject({
      name: z.string(),
      version: z.string(),
      extracted: z.string().nullable(),
      expected: z.string().nullable(),
      correct: z.boolean().nullable(),
      details: z.record(z.string(), z.unknown()),
    })
    .nullable(),
  usage: z.looseObject({
    prompt_tokens: z.number().int().nonnegative(),
    completion_tokens: z.number().int().nonnegative(),
  }),
  timing: z.looseObject({
    started_at: z.iso.datetime(),
    ended_at: z.iso.datetime(),
    duration_ms: z.number().nonnegative(),
  }),
  runtime: z.looseObject({ assay_version: z.string(), node: z.string() }),
  policy: z.looseObject({ file: z.string().nullable(), sha256: sha256Schema.nullable() }),
  // Set with `--record-tokens`: false when a turn's prompt ids do not extend the previous
  // turn's prompt + completion ids (optional, added in v1).
  tokens_consistent: z.boolean().optional(),
  // Episodes of a strategy arm (`vote:K`, `best:N:judge`, `refine:R:…`): which task-level
  // decision they belong to and that decision (optional, added in v1; docs/strategies.md).
  strategy: z
    .looseObject({
      name: z.enum(['vote', 'best', 'refine']),
      params: z.record(z.string(), z.union([z.string(), z.number()])),
      role: z.enum(['sample', 'judge', 'round']),
      index: z.number().int().nonnegative(),
      decision_id: z.string().min(1),
      decision: z
        .looseObject({
          episodes: z.number().int().positive(),
          answer: z.string().nullable(),
          reward: z.number().nullable(),
          chosen: z.number().int().nonnegative().nullable(),
          model_calls: z.number().int().nonnegative(),
          tokens: z.number().int().nonnegative(),
        })
        .optional(),
    })
    .optional(),
  /** Coding episodes: the copied folder, its base and the agent's diff against it. */
  workspace: z
    .looseObject({
      source: z.string(),
      base: z.looseObject({ commit: z.string().nullable(), tree: z.string() }),
      diff: z.string(),
      diff_truncated: z.boolean(),
      diff_bytes: z.number().int().nonnegative(),
      files_changed: z.array(z.string()),
      diff_stats: z.looseObject({
        files: z.number().int().nonnegative(),
        insertions: z.number().int().nonnegative(),
        deletions: z.number().int().nonnegative(),
      }),
      diff_artifact: traceArtifactSchema.optional(),
      /** `--apply`: the policy's decision on the `workspace.apply` action and what came of it. */
      apply: z
        .looseObject({
          arguments: z.record(z.string(), z.unknown()),
          policy: tracePolicyDecisionSchema,
          applied: z.boolean(),
          error: z.string().optional(),
        })
        .optional(),
      files_omitted: z
        .array(z.looseObject({ path: z.string(), bytes: z.number().int().nonnegative() }))
        .optional(),
    })
    .optional(),
});

/**
 * The record with the rules that span fields. Both keep infrastructure faults out of the
 * scores: an errored episode must carry its error, and an infra error is never rewarded.
 */
export const traceRecordSchema = traceRecordObject.superRefine((record, ctx) => {
  if (record.outcome.status === 'error' && record.error === null) {
    ctx.addIssue({
      code: 'custom',
      path: ['error'],
      message: 'required when outcome.status is "error"',
    });
  }
  if (record.error?.class === 'infra' && record.reward !== null) {
    ctx.addIssue({
      code: 'custom',
      path: ['reward'],
      message: 'must be null when error.class is "infra"',
    });
  }
});

export type TraceRecord = z.infer<typeof traceRecordSchema>;
export type TraceToolCall = z.infer<typeof traceToolCallSchema>;
export type TraceMessage = z.infer<typeof traceMessageSchema>;
export type TraceError = z.infer<typeof traceErrorSchema>;
export type OutcomeStatus = z.infer<typeof outcomeStatusSchema>;
