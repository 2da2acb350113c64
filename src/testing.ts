/**
 * `assay/testing`: deterministic fakes for tests, examples and benchmarks. A scripted
 * OpenAI-compatible HTTP server that imitates Ollama, vLLM, llama.cpp and tag-in-text servers
 * (faults included), and an in-process scripted model with the same scripts.
 */
export type {
  Fault,
  Script,
  ScriptReply,
  ScriptRequest,
  ScriptTool,
  ScriptToolCall,
  WireFormat,
} from './testing/script.js';
export { WIRE_FORMATS } from './testing/script.js';
export { createScriptedModel } from './testing/scripted-model.js';
export {
  type ScriptedServer,
  type ScriptedServerOptions,
  startScriptedServer,
} from './testing/scripted-server.js';
export {
  calculatorScript,
  extractExpression,
  sequenceScript,
  type ToolThenAnswerOptions,
  toolThenAnswerScript,
} from './testing/scripts.js';
