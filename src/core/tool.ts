import type { z } from 'zod';
import type { ToolLimits } from './limits.js';

/** A file a tool produced (a figure, a written file). Stored next to the trace, not inline. */
export interface ToolArtifact {
  name: string;
  mime_type: string;
  data: Uint8Array;
}

/** What a call consumed, counted against policy budgets. */
export interface ToolUsage {
  sandbox_ms?: number;
  fetched_bytes?: number;
  hosts?: string[];
}

export interface ToolResult {
  /** False when the call failed for a reason the model should read and can act on. */
  ok: boolean;
  /** The text the model sees. */
  content: string;
  /** Structured result kept in the trace. */
  data?: unknown;
  artifacts?: ToolArtifact[];
  usage?: ToolUsage;
  /** Set when `ok` is false: a short code and message, recorded in the trace. */
  error?: { code: string; message: string };
}

/**
 * Per-episode resources (sandbox sessions, isolates): created on first use and disposed when
 * the episode ends, whatever way it ends.
 */
export interface EpisodeResources {
  acquire<T>(
    key: string,
    create: () => Promise<T>,
    dispose: (value: T) => Promise<void>,
  ): Promise<T>;
}

export interface ToolContext {
  signal: AbortSignal;
  /** Limits granted by the policy for this call. */
  limits: ToolLimits;
  resources: EpisodeResources;
  episodeId: string;
  step: number;
  /**
   * Asks the policy whether the call may go on to another URL (a redirect): null to follow,
   * else the reason not to. Absent when the policy has no say; tools then follow as usual.
   */
  mayFollow?: (url: string) => string | null;
  /**
   * Puts a fact the tool found while running to the policy (an MCP tool whose definition no
   * longer matches its pin): the policy refuses, or asks a person as for any `ask`. Absent
   * when the policy has no say; tools then refuse.
   */
  confirmChange?: (reason: string) => Promise<ChangeDecision>;
  /** Reports how a long call is getting on (an MCP server's progress), when someone listens. */
  onProgress?: (progress: ToolProgress) => void;
}

/** One progress report of a running tool call, as MCP's `notifications/progress` carries it. */
export interface ToolProgress {
  progress: number;
  total?: number;
  message?: string;
}

/** The policy's answer about a changed tool definition, as recorded with the call's result. */
export interface ChangeDecision {
  decision: 'allow' | 'deny';
  /** `deny` when the policy refuses outright, `ask` when it put the change to a person. */
  effect: 'deny' | 'ask';
  rule: string;
  reason: string;
  answered_by?: 'user' | 'batch_ask';
}

/**
 * A tool the agent can call. Infrastructure faults (Docker engine gone, search back end down)
 * are thrown as `InfraError`; everything the model can fix is returned with `ok: false`.
 */
export interface ToolDefinition<Input = unknown> {
  name: string;
  description: string;
  inputSchema: z.ZodType<Input>;
  /**
   * The input schema as JSON Schema, given as is instead of derived from `inputSchema`: for
   * tools defined elsewhere (MCP servers), whose own server validates the arguments.
   */
  parameters?: Record<string, unknown>;
  /** Output of this tool is untrusted web content: it taints the episode. */
  taints?: boolean;
  run(args: Input, ctx: ToolContext): Promise<ToolResult>;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds tools of every input type.
export type AnyToolDefinition = ToolDefinition<any>;

/** A set of created tools and the shared resources (warm pools, connections) behind them. */
export interface ToolSet {
  tools: Record<string, AnyToolDefinition>;
  close(): Promise<void>;
}

/** Identity helper that keeps the input type of a tool tied to its schema. */
export function defineTool<Input>(tool: ToolDefinition<Input>): ToolDefinition<Input> {
  return tool;
}
