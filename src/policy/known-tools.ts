import { BUILTIN_TOOL_NAMES as BUILTIN } from '../core/tool-names.js';

/**
 * The tools assay ships. Policy files may name only known tools; the registry passes its own
 * list when it has more, so a misspelt tool name never makes a rule silently dead.
 */
export const BUILTIN_TOOL_NAMES: readonly string[] = Object.freeze([...BUILTIN]);
