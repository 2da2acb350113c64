import type { ToolSet } from '../src/core/tool.js';
import { BUILTIN_TOOL_NAMES, type BuiltinToolName } from '../src/core/tool-names.js';
import { type BuiltinToolOptions, loadBuiltinTools } from './registry.js';

export type { ToolSet } from '../src/core/tool.js';
export type { BuiltinToolName } from '../src/core/tool-names.js';
export {
  type BuiltinToolOptions,
  type CreatedTool,
  DEFAULT_TOOLS,
  loadBuiltinTools,
  parseToolList,
  TOOL_REGISTRY,
  type ToolFactory,
  type ToolHints,
  type ToolNeed,
  type ToolRegistration,
  type ToolSetMaker,
  toolHints,
  toolTable,
} from './registry.js';
export { WEB_SEARCH_BACKENDS } from './web-search/backend-names.js';
export { BUILTIN_TOOL_NAMES };

// The library API makes tool sets synchronously, so this entry point loads every tool once, on
// import. The CLI imports ./registry.js instead and loads only the tools a command names.
const makeAll = await loadBuiltinTools(BUILTIN_TOOL_NAMES);

/** Creates the named built-in tools, keyed by name. Bad options throw a UsageError here. */
export function createBuiltinTools(
  names: readonly BuiltinToolName[],
  options: BuiltinToolOptions = {},
): ToolSet {
  return makeAll(names, options);
}
