/**
 * The public library API of assay. Everything exported here is a contract; anything not
 * listed is internal and may change.
 */

export {
  BUILTIN_TOOL_NAMES,
  type BuiltinToolName,
  type BuiltinToolOptions,
  createBuiltinTools,
  type ToolSet,
} from '../tools/index.js';
export { DEFAULT_MAX_STEPS, type EpisodeOptions, runEpisode } from './agent/episode.js';
export type { AgentEvent, AgentEventHandler } from './agent/events.js';
export type { EpisodeIds } from './agent/record.js';
export { toolSpec, toolSpecs } from './agent/tool-specs.js';
export {
  AssayError,
  type ErrorClass,
  type ErrorCode,
  InfraError,
  ModelBehaviorError,
  UsageError,
  VerifierError,
} from './core/errors.js';
export { DEFAULT_LIMITS, type ToolLimits } from './core/limits.js';
export type {
  AssistantMessage,
  ChatMessage,
  SystemMessage,
  ToolCallMessagePart,
  ToolMessage,
  UserMessage,
} from './core/messages.js';
export type {
  ModelInfo,
  ModelProvider,
  ModelRequest,
  ModelStep,
  ModelToolCall,
  Sampling,
  ToolFormat,
  ToolSpec,
} from './core/provider.js';
export {
  type AnyToolDefinition,
  defineTool,
  type EpisodeResources,
  type ToolArtifact,
  type ToolContext,
  type ToolDefinition,
  type ToolResult,
  type ToolUsage,
} from './core/tool.js';
export { createOpenAIProvider, type OpenAIProviderOptions } from './model/openai-provider.js';
export { allowListedPolicy, loadBuiltinPolicy } from './policy/builtin.js';
export { loadPolicy } from './policy/load.js';
export type { Policy, PolicyDecision, PolicySession } from './policy/types.js';
export { readTraceLines, readTraces, type TraceLine } from './trace/reader.js';
export { TRACE_SCHEMA_VERSION, type TraceRecord, traceRecordSchema } from './trace/schema.js';
export { TraceWriter } from './trace/writer.js';
