import { z } from 'zod';
import type { BashResult } from '../../sandbox/workspace/protocol.js';
import type { WorkspaceSession } from '../../sandbox/workspace/workspace-session.js';
import { type AnyToolDefinition, defineTool, type ToolResult } from '../../src/core/tool.js';

/** The five tools `--tools workspace` names, in the order they are advertised. */
export const WORKSPACE_TOOL_NAMES = [
  'bash',
  'read_file',
  'write_file',
  'edit_file',
  'apply_patch',
] as const;

const path = z
  .string()
  .min(1)
  .max(4096)
  .describe('A path relative to /workspace, or absolute inside it.');

export const bashInput = z.strictObject({
  command: z.string().min(1).max(100_000).describe('A bash command; cd and export persist.'),
  timeout_s: z
    .number()
    .positive()
    .max(3600)
    .optional()
    .describe('Seconds the command may run (capped by the policy).'),
});

export const readFileInput = z.strictObject({
  path,
  offset: z.number().int().positive().optional().describe('First line to show (1-based).'),
  limit: z.number().int().positive().max(10_000).optional().describe('Lines to show.'),
});

export const writeFileInput = z.strictObject({
  path,
  content: z.string().max(10_000_000).describe('The whole new content of the file.'),
});

export const editFileInput = z.strictObject({
  path,
  old_string: z.string().min(1).max(1_000_000).describe('Text to replace, exactly as in the file.'),
  new_string: z.string().max(1_000_000).describe('The replacement text.'),
  replace_all: z.boolean().optional().describe('Replace every occurrence instead of exactly one.'),
});

export const applyPatchInput = z.strictObject({
  patch: z
    .string()
    .min(1)
    .max(10_000_000)
    .describe(
      'A patch in the `*** Begin Patch` format: `*** Add File: p` (lines start with +), `*** Delete File: p`, `*** Update File: p` (optional `*** Move to: q`) with `@@` hunks of " ", "-", "+" lines and 3 lines of context; `*** End Patch`. Applied all-or-nothing.',
    ),
});

/**
 * How the tools reach the episode's workspace: given by the composition root. It gets the
 * episode's id, so that a server with several episodes at once (`mcp serve` over HTTP) can
 * give each its own copy.
 */
export type WorkspaceProvider = (episodeId: string) => Promise<WorkspaceSession>;

export function renderBash(result: BashResult): ToolResult {
  const parts: string[] = [];
  if (result.timed_out) parts.push('The command timed out and was killed.');
  parts.push(`exit code: ${result.exit_code ?? 'none'}`);
  if (result.stdout) parts.push(`stdout:\n${result.stdout}`);
  if (result.stderr) parts.push(`stderr:\n${result.stderr}`);
  if (!result.stdout && !result.stderr) parts.push('(no output)');
  if (result.dropped_bytes > 0) parts.push(`[${result.dropped_bytes} bytes of output dropped]`);
  if (result.note) parts.push(result.note.trim());
  const content = parts.join('\n');
  const data = {
    exit_code: result.exit_code,
    timed_out: result.timed_out,
    dropped_bytes: result.dropped_bytes,
    cwd: result.cwd,
  };
  const usage = { sandbox_ms: Math.round(result.duration_ms) };
  if (result.timed_out)
    return {
      ok: false,
      content,
      data,
      usage,
      error: { code: 'TIMEOUT', message: 'the command timed out' },
    };
  return { ok: true, content, data, usage };
}

function fileResult(reply: { ok: boolean; content: string; code: string | null }): ToolResult {
  if (reply.ok) return { ok: true, content: reply.content };
  return {
    ok: false,
    content: reply.content,
    error: { code: reply.code ?? 'TOOL_ERROR', message: reply.content.slice(0, 500) },
  };
}

/**
 * The coding tools over one workspace container. Every call is one request on the workspace
 * runner's channel; the shell and files persist for the episode.
 */
export function createWorkspaceTools(workspace: WorkspaceProvider): AnyToolDefinition[] {
  return [
    defineTool({
      name: 'bash',
      description:
        'Run a command in a persistent bash shell in /workspace (cwd and environment persist). Returns the exit code, stdout and stderr (long output keeps its head and tail). No network.',
      inputSchema: bashInput,
      async run(args, ctx) {
        const timeoutMs = Math.min(ctx.limits.timeout_ms, (args.timeout_s ?? 3600) * 1000);
        const session = await workspace(ctx.episodeId);
        return renderBash(await session.bash(args.command, timeoutMs, ctx.limits.output_bytes));
      },
    }),
    defineTool({
      name: 'read_file',
      description:
        'Read a text file with numbered lines (a window: offset and limit in lines), or list a directory.',
      inputSchema: readFileInput,
      async run(args, ctx) {
        return fileResult(await (await workspace(ctx.episodeId)).tool('read_file', args));
      },
    }),
    defineTool({
      name: 'write_file',
      description: 'Create a file or overwrite it with the given content.',
      inputSchema: writeFileInput,
      async run(args, ctx) {
        return fileResult(await (await workspace(ctx.episodeId)).tool('write_file', args));
      },
    }),
    defineTool({
      name: 'edit_file',
      description:
        'Replace old_string with new_string in a file. old_string must match exactly and be unique unless replace_all is true.',
      inputSchema: editFileInput,
      async run(args, ctx) {
        return fileResult(await (await workspace(ctx.episodeId)).tool('edit_file', args));
      },
    }),
    defineTool({
      name: 'apply_patch',
      description:
        'Apply a patch in the *** Begin Patch format to files in /workspace; if any hunk fails, nothing changes.',
      inputSchema: applyPatchInput,
      async run(args, ctx) {
        return fileResult(await (await workspace(ctx.episodeId)).tool('apply_patch', args));
      },
    }),
  ];
}
