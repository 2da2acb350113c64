/**
 * The names of the tools assay ships: the one list that the tool registry (tools/registry.ts),
 * the policy's known tools and the CLI's `--tools` check are all derived from. A test keeps the
 * registry in the same order, so adding a tool starts here.
 */
export const BUILTIN_TOOL_NAMES = [
  'calculator',
  'python',
  'javascript',
  'web_search',
  'web_fetch',
  'bash',
  'read_file',
  'write_file',
  'edit_file',
  'apply_patch',
] as const;

/** `--tools workspace`: the coding tools over a `--workspace` copy. */
export const WORKSPACE_TOOL_GROUP = [
  'bash',
  'read_file',
  'write_file',
  'edit_file',
  'apply_patch',
] as const satisfies readonly BuiltinToolName[];

/**
 * Actions decided by the policy like tool calls, though no model calls them: rules name them
 * as tools (`tool: workspace.apply`). `workspace.apply` is `assay run --workspace --apply`.
 */
export const POLICY_ACTION_NAMES = ['workspace.apply'] as const;

export type BuiltinToolName = (typeof BUILTIN_TOOL_NAMES)[number];

export function isBuiltinToolName(name: string): name is BuiltinToolName {
  return (BUILTIN_TOOL_NAMES as readonly string[]).includes(name);
}
