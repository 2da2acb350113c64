import { BUILTIN_TOOL_NAMES as BUILTIN, POLICY_ACTION_NAMES } from '../core/tool-names.js';

/**
 * The tools assay ships. Policy files may name only known tools; the registry passes its own
 * list when it has more, so a misspelt tool name never makes a rule silently dead. The actions
 * the policy decides besides tool calls (`workspace.apply`) are known names too.
 */
export const BUILTIN_TOOL_NAMES: readonly string[] = Object.freeze([
  ...BUILTIN,
  ...POLICY_ACTION_NAMES,
]);
