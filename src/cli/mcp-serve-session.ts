import { createHash } from 'node:crypto';
import type { McpCallResult, ServedCallContext, ServedToolInfo } from '../../tools/mcp/sdk.js';
import { unknownToolError } from '../../tools/mcp/sdk.js';
import { type ArtifactSink, dispatchToolCall } from '../agent/dispatch.js';
import { LoopGuard } from '../agent/loop-guard.js';
import { buildTraceRecord, newTraceId } from '../agent/record.js';
import { EpisodeResourcePool } from '../agent/resources.js';
import { toolSpec } from '../agent/tool-specs.js';
import { isAssayError } from '../core/errors.js';
import type { ChatMessage } from '../core/messages.js';
import type { AnyToolDefinition, ToolArtifact } from '../core/tool.js';
import type { Prompter } from '../policy/prompter.js';
import type { Policy, PolicySession } from '../policy/types.js';
import type { TraceRecord, TraceToolCall } from '../trace/schema.js';
import { CallProgress, HEARTBEAT_MS } from './mcp-serve-progress.js';

/** Tool annotations: hints a client may show or use to decide on approval, never enforced here. */
export type ToolHints = ServedToolInfo['annotations'];

export interface ServeSessionOptions {
  tools: Readonly<Record<string, AnyToolDefinition>>;
  hints: (name: string) => ToolHints;
  policy: Policy;
  /** Called as soon as each call finishes, with its trace entry and the session so far. */
  onCall?: (finished: FinishedCall) => void;
  artifactSink?: (traceId: string) => ArtifactSink;
  /** How often a call the client asked progress for reports that it is still running. */
  heartbeatMs?: number;
}

export interface FinishedCall {
  traceId: string;
  call: TraceToolCall;
  /** The assistant message that made the call and the tool message that answered it. */
  messages: ChatMessage[];
  /** The session's record so far (built only when asked: it grows with every call). */
  record: () => TraceRecord;
}

/**
 * An external agent calls tools directly, and may repeat a call on purpose (python twice):
 * the loop guard that stops a model repeating itself does not apply. Since it never looks a
 * call up, it remembers none either: a long session does not keep every call's arguments and
 * output a second time (the trace record has them), nor pay for their canonical JSON.
 */
export class NoRepeatGuard extends LoopGuard {
  override previous(): undefined {
    return undefined;
  }

  override remember(): void {}
}

/**
 * One MCP session of `assay mcp serve` as one episode: the same dispatch path as the agent
 * loop (validation, policy, granted limits, output caps), one policy session (budgets, taint),
 * sandbox sessions kept until the MCP session closes, and every call in one trace record.
 */
export class ServeSession {
  readonly traceId = newTraceId();
  readonly #options: ServeSessionOptions;
  readonly #resources = new EpisodeResourcePool();
  readonly #guard = new NoRepeatGuard();
  readonly #calls: TraceToolCall[] = [];
  readonly #messages: ChatMessage[] = [];
  readonly #startedAt = new Date();
  #policy: PolicySession | null = null;
  #confirm: ServedCallContext['confirm'] = null;
  #clientName = 'unknown';
  #step = 0;
  #closed = false;

  constructor(options: ServeSessionOptions) {
    this.#options = options;
  }

  listTools(): ServedToolInfo[] {
    return Object.values(this.#options.tools).map((tool) => {
      const spec = toolSpec(tool);
      return {
        name: tool.name,
        description: tool.description,
        inputSchema: spec.parameters,
        annotations: this.#options.hints(tool.name),
      };
    });
  }

  async callTool(
    name: string,
    args: Record<string, unknown>,
    ctx: ServedCallContext,
  ): Promise<McpCallResult> {
    if (!Object.hasOwn(this.#options.tools, name)) throw unknownToolError(name);
    this.#confirm = ctx.confirm;
    this.#clientName = ctx.clientName;
    const step = ++this.#step;
    const id = `mcp_${step}`;
    const modelCall = { id, name, arguments: JSON.stringify(args) };
    // Figures and files go to the client as content, and beside the trace as artifacts.
    const produced: ToolArtifact[] = [];
    const store = this.#options.artifactSink?.(this.traceId);
    const artifactSink: ArtifactSink = async (artifact) => {
      produced.push(artifact);
      if (store !== undefined) return store(artifact);
      const sha256 = createHash('sha256').update(artifact.data).digest('hex');
      return {
        name: artifact.name,
        mime_type: artifact.mime_type,
        path: '',
        sha256,
        bytes: artifact.data.byteLength,
      };
    };
    const progress =
      ctx.progress === null
        ? null
        : new CallProgress(ctx.progress, name, this.#options.heartbeatMs ?? HEARTBEAT_MS);
    try {
      const dispatched = await dispatchToolCall(modelCall, {
        tools: this.#options.tools,
        policy: this.#policySession(),
        resources: this.#resources,
        guard: this.#guard,
        episodeId: this.traceId,
        step,
        signal: ctx.signal,
        artifactSink,
        onProgress: progress === null ? undefined : (update) => progress.forward(update),
      });
      this.#finish(modelCall, dispatched.call, dispatched.message);
      await progress?.end(dispatched.call.result.ok ? 'finished' : 'failed');
      return toMcpResult(dispatched.call, produced);
    } catch (error) {
      progress?.stop();
      if (ctx.signal.aborted) {
        // The client cancelled: it reads no result, but the trace keeps the attempt.
        const content = 'cancelled by the client';
        const call: TraceToolCall = {
          id,
          step,
          name,
          arguments: args,
          policy: null,
          result: { ok: false, content, error: { code: 'ABORTED', message: content } },
          duration_ms: 0,
        };
        this.#finish(modelCall, call, {
          role: 'tool',
          tool_call_id: id,
          name,
          content,
          is_error: true,
        });
        return { content: [{ type: 'text', text: content }], isError: true };
      }
      const message = isAssayError(error) ? `${error.code}: ${error.message}` : String(error);
      return { content: [{ type: 'text', text: message }], isError: true };
    }
  }

  /** The session's trace record: every call that finished, in the order they finished. */
  record(status: 'completed' | 'aborted' = 'completed'): TraceRecord {
    const names = Object.keys(this.#options.tools);
    return buildTraceRecord({
      ids: { trace_id: this.traceId, task_id: null, arm: 'mcp-serve' },
      model: { provider: 'mcp-client', name: this.#clientName, base_url: null },
      sampling: {},
      tools: names,
      toolSpecs: Object.values(this.#options.tools).map(toolSpec),
      messages: this.#messages,
      toolCalls: this.#calls,
      turns: [],
      finalAnswer: null,
      status,
      stopReason: status === 'completed' ? 'session_closed' : 'server_stopped',
      error: null,
      usage: { prompt_tokens: 0, completion_tokens: 0 },
      startedAt: this.#startedAt,
      endedAt: new Date(),
      policy: this.#options.policy,
    });
  }

  /** Disposes the session's sandboxes and isolates; the record stays readable. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#resources.disposeAll((key, message) =>
      process.stderr.write(`assay mcp: disposing ${key} failed: ${message}\n`),
    );
  }

  #policySession(): PolicySession {
    if (this.#policy === null) {
      const prompter: Prompter = {
        ask: async (request, signal) => {
          const confirm = this.#confirm;
          if (confirm === null)
            return { answer: 'unavailable', reason: 'the MCP client cannot be asked' };
          const allowed = await confirm(
            `assay policy rule "${request.rule}" asks: allow ${request.tool} ${JSON.stringify(request.args).slice(0, 500)}? (${request.reason})`,
            signal,
          );
          return allowed ? { answer: 'once' } : { answer: 'deny', reason: 'declined by the user' };
        },
      };
      // Interactive exactly when the client supports elicitation; else `batch_ask` decides.
      this.#policy = this.#options.policy.startEpisode({
        prompt: '',
        interactive: this.#confirm !== null,
        prompter,
      });
    }
    return this.#policy;
  }

  #finish(
    modelCall: { id: string; name: string; arguments: string },
    call: TraceToolCall,
    message: ChatMessage,
  ): void {
    const messages: ChatMessage[] = [
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: modelCall.id,
            type: 'function',
            function: { name: modelCall.name, arguments: modelCall.arguments },
          },
        ],
      },
      message,
    ];
    this.#calls.push(call);
    this.#messages.push(...messages);
    this.#options.onCall?.({
      traceId: this.traceId,
      call,
      messages,
      record: () => this.record('aborted'),
    });
  }
}

/**
 * A trace entry as MCP content: the text the model would read, then images as image blocks
 * and other files as embedded resources; `isError` for failures.
 */
function toMcpResult(call: TraceToolCall, artifacts: readonly ToolArtifact[]): McpCallResult {
  const content: McpCallResult['content'] = [{ type: 'text', text: call.result.content }];
  for (const artifact of artifacts) {
    const data = Buffer.from(artifact.data).toString('base64');
    if (artifact.mime_type.startsWith('image/')) {
      content.push({ type: 'image', data, mimeType: artifact.mime_type });
    } else {
      content.push({
        type: 'resource',
        resource: {
          uri: `assay://artifact/${encodeURIComponent(artifact.name)}`,
          mimeType: artifact.mime_type,
          blob: data,
        },
      });
    }
  }
  return call.result.ok ? { content } : { content, isError: true };
}
