import { deadlineSignal, raceAbort } from '../core/abort.js';
import { AssayError, errorMessage, InfraError } from '../core/errors.js';
import type { ToolMessage } from '../core/messages.js';
import type { ModelToolCall } from '../core/provider.js';
import { capText } from '../core/text.js';
import type {
  AnyToolDefinition,
  ChangeDecision,
  EpisodeResources,
  ToolArtifact,
  ToolProgress,
  ToolResult,
} from '../core/tool.js';
import type { PolicyCall, PolicyDecision, PolicySession } from '../policy/types.js';
import type { TraceToolCall } from '../trace/schema.js';
import type { LoopGuard } from './loop-guard.js';
import { resolveToolCall } from './repair.js';

/** Stores an artifact next to the trace and returns its reference. */
export type ArtifactSink = (
  artifact: ToolArtifact,
) => Promise<{ name: string; mime_type: string; path: string; sha256: string; bytes: number }>;

export interface DispatchContext {
  tools: Readonly<Record<string, AnyToolDefinition>>;
  policy: PolicySession;
  resources: EpisodeResources;
  guard: LoopGuard;
  episodeId: string;
  step: number;
  signal: AbortSignal;
  artifactSink?: ArtifactSink | undefined;
  /** Receives the progress a running tool reports (`assay mcp serve` forwards it). */
  onProgress?: ((progress: ToolProgress) => void) | undefined;
}

export interface DispatchResult {
  call: TraceToolCall;
  message: ToolMessage;
  /** Set when the loop guard says the episode must stop. */
  stop?: 'loop_guard';
  /** Set when a budget denied the call. */
  budget?: string;
}

/** Extra time a tool gets past its own limit before the loop stops waiting for it. */
const HARD_DEADLINE_GRACE_MS = 5_000;

/**
 * Runs one tool call the model made: repair and validate, ask the policy, run the tool under
 * the granted limits, and produce the trace entry and the tool message. Everything the model
 * got wrong becomes a tool message; only infrastructure faults throw.
 */
export async function dispatchToolCall(
  modelCall: ModelToolCall,
  ctx: DispatchContext,
): Promise<DispatchResult> {
  const started = performance.now();
  const resolved = resolveToolCall(modelCall, ctx.tools);
  const base = { id: modelCall.id, step: ctx.step, name: modelCall.name };

  const finish = (
    args: unknown,
    policy: PolicyDecision | null,
    result: TraceToolCall['result'],
    extra: Partial<TraceToolCall> = {},
  ): TraceToolCall => ({
    ...base,
    arguments: args,
    policy: policy === null ? null : policyRecord(policy),
    result,
    duration_ms: Math.max(0, performance.now() - started),
    ...extra,
  });

  if (!resolved.ok) {
    const call = finish(
      resolved.args,
      null,
      {
        ok: false,
        content: resolved.message,
        error: { code: resolved.code, message: resolved.message },
      },
      { repairs: resolved.repairs, raw_arguments: modelCall.arguments },
    );
    return { call, message: toolMessage(modelCall, resolved.message, true) };
  }

  const { tool, args, repairs } = resolved;
  const extra: Partial<TraceToolCall> = repairs.length > 0 ? { repairs, name: resolved.name } : {};

  const previous = ctx.guard.previous(resolved.name, args);
  if (previous) {
    if (!ctx.guard.nudge()) {
      const content = `Stopped: ${resolved.name} was called again with the same arguments as at step ${previous.step}.`;
      const call = finish(
        args,
        null,
        { ok: false, content, error: { code: 'REPEATED_CALL', message: content } },
        extra,
      );
      return { call, message: toolMessage(modelCall, content, true), stop: 'loop_guard' };
    }
    const content =
      `This exact call was already made at step ${previous.step}; it was not run again. ` +
      `Its result was:\n${previous.content}\n\nUse that result to answer, or try something different.`;
    const call = finish(
      args,
      null,
      { ok: false, content, error: { code: 'REPEATED_CALL', message: content } },
      extra,
    );
    return { call, message: toolMessage(modelCall, content, true) };
  }

  const policyCall = { tool: resolved.name, args, step: ctx.step };
  const decision = await ctx.policy.decide(policyCall, ctx.signal);
  if (decision.decision === 'deny' || decision.clamps === null) {
    const content = `Denied by policy: ${decision.reason}`;
    const call = finish(
      args,
      decision,
      { ok: false, content, error: { code: 'POLICY_DENIED', message: decision.reason } },
      extra,
    );
    const result: DispatchResult = { call, message: toolMessage(modelCall, content, true) };
    if (decision.budget !== undefined) result.budget = decision.budget;
    return result;
  }

  const limits = decision.clamps;
  const deadline = deadlineSignal(ctx.signal, limits.timeout_ms + HARD_DEADLINE_GRACE_MS);
  const signal = deadline.signal;
  let result: ToolResult;
  try {
    result = await raceAbort(
      () =>
        tool.run(args, {
          signal,
          limits,
          resources: ctx.resources,
          episodeId: ctx.episodeId,
          step: ctx.step,
          ...followCheck(ctx.policy, policyCall),
          ...changeCheck(ctx.policy, policyCall, signal),
          ...(ctx.onProgress === undefined ? {} : { onProgress: ctx.onProgress }),
        }),
      signal,
    );
  } catch (error) {
    if (error instanceof InfraError) throw error;
    if (ctx.signal.aborted)
      throw new AssayError('ABORTED', 'the episode was aborted', { cause: error });
    const message = signal.aborted
      ? `${resolved.name} did not finish within ${Math.round(limits.timeout_ms / 1000)} s and was abandoned.`
      : `${resolved.name} failed: ${errorMessage(error)}`;
    result = {
      ok: false,
      content: message,
      error: { code: signal.aborted ? 'TOOL_TIMEOUT' : 'TOOL_CRASHED', message },
    };
  } finally {
    deadline.clear();
  }

  ctx.policy.record(policyCall, result.usage ?? {}, tool.taints === true, result.content);
  const content = capText(result.content, limits.output_bytes);
  ctx.guard.remember(resolved.name, args, ctx.step, content);

  const traceResult: TraceToolCall['result'] = { ok: result.ok, content };
  if (result.error) traceResult.error = result.error;
  if (result.data !== undefined) traceResult.data = result.data;
  if (result.artifacts && result.artifacts.length > 0 && ctx.artifactSink) {
    traceResult.artifacts = await Promise.all(result.artifacts.map((a) => ctx.artifactSink!(a)));
  }
  const call = finish(args, decision, traceResult, extra);
  if (result.usage) call.usage = result.usage;
  return { call, message: toolMessage(modelCall, content, !result.ok) };
}

/** Unrequested calls (the model called a tool in an arm with none): recorded, never run. */
export function unrequestedToolCall(modelCall: ModelToolCall, step: number): DispatchResult {
  const content =
    'No tools are available in this conversation; answer directly without calling tools.';
  return {
    call: {
      id: modelCall.id,
      step,
      name: modelCall.name,
      arguments: modelCall.arguments,
      policy: {
        decision: 'unrequested',
        rule: null,
        reason: 'no tools were advertised',
        clamps: null,
      },
      result: { ok: false, content, error: { code: 'UNREQUESTED_CALL', message: content } },
      duration_ms: 0,
    },
    message: toolMessage(modelCall, content, true),
  };
}

function policyRecord(decision: PolicyDecision): NonNullable<TraceToolCall['policy']> {
  const { decision: verdict, ...rest } = decision;
  return {
    decision: verdict,
    ...rest,
    clamps:
      decision.clamps === null
        ? null
        : { ...decision.clamps, private_network: [...decision.clamps.private_network] },
  };
}

function toolMessage(call: ModelToolCall, content: string, isError: boolean): ToolMessage {
  const message: ToolMessage = { role: 'tool', tool_call_id: call.id, name: call.name, content };
  if (isError) message.is_error = true;
  return message;
}

/** The redirect check for a call, when the session can decide one. */
function followCheck(
  policy: PolicySession,
  call: PolicyCall,
): { mayFollow?: (url: string) => string | null } {
  if (!policy.checkFollow) return {};
  return { mayFollow: (url) => policy.checkFollow!({ ...call, args: { ...call.args, url } }) };
}

/** The changed-definition check for a call, when the session can decide one. */
function changeCheck(
  policy: PolicySession,
  call: PolicyCall,
  signal: AbortSignal,
): { confirmChange?: (reason: string) => Promise<ChangeDecision> } {
  if (!policy.decideChange) return {};
  return { confirmChange: (reason) => policy.decideChange!(call, reason, signal) };
}
