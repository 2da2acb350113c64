import type { ModelStep } from '../core/provider.js';
import type { TraceRecord, TraceToolCall } from '../trace/schema.js';

/** What an episode reports while it runs, for progress displays and logs. */
export type AgentEvent =
  | { type: 'step_start'; step: number }
  | { type: 'model_step'; step: number; result: ModelStep; latency_ms: number }
  | { type: 'tool_call'; step: number; call: TraceToolCall }
  | { type: 'warning'; message: string }
  | { type: 'episode_end'; record: TraceRecord };

export type AgentEventHandler = (event: AgentEvent) => void;
