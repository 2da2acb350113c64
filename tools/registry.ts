import { UsageError } from '../src/core/errors.js';
import type { AnyToolDefinition, ToolSet } from '../src/core/tool.js';
import {
  BUILTIN_TOOL_NAMES,
  type BuiltinToolName,
  isBuiltinToolName,
  WORKSPACE_TOOL_GROUP,
} from '../src/core/tool-names.js';
import type { WebSearchBackendName } from './web-search/backend-names.js';
import type { WorkspaceProvider } from './workspace/index.js';

export type { ToolSet } from '../src/core/tool.js';
export type { BuiltinToolName } from '../src/core/tool-names.js';

/** Options of the built-in tools, as set by command-line flags. */
export interface BuiltinToolOptions {
  /** `--search`: the web_search back end. */
  search?: WebSearchBackendName;
  /** `--search-url`: SearXNG's URL, or an override of a hosted API's. */
  searchUrl?: string;
  /** `--corpus`: the local search back end's folder (and web_fetch's corpus:// root). */
  corpusDir?: string;
  /** `--image`: the python sandbox image. */
  image?: string;
  /** Warm containers the python tool keeps ready: 0 for one episode, the concurrency for evals. */
  pythonPool?: number;
  env?: NodeJS.ProcessEnv;
  /** `--workspace`: the container the coding tools work in. */
  workspace?: WorkspaceProvider;
}

export type CreatedTool = { tool: AnyToolDefinition; close?: () => Promise<void> };

/** Makes one tool; its module is already loaded. */
export type ToolFactory = (options: BuiltinToolOptions) => CreatedTool;

/**
 * What a tool needs from the machine it runs on. `isolate`: V8 isolates (isolated-vm), which
 * need Node started with `--no-node-snapshot`; the CLI runs such commands again with it.
 */
export type ToolNeed = 'docker' | 'network' | 'isolate';

/**
 * MCP tool annotations (`assay mcp serve` advertises them): what the tool may do to the world
 * outside its sandbox. Clients may use them to decide on approval; assay's policy never does.
 */
export interface ToolHints {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

const READS_ONLY: ToolHints = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
const RUNS_CODE: ToolHints = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
};
const READS_THE_WEB: ToolHints = { ...READS_ONLY, openWorldHint: true };
const CHANGES_FILES: ToolHints = { ...RUNS_CODE, destructiveHint: true };

/** One row of the registry: a built-in tool and how to make it. */
export interface ToolRegistration {
  name: BuiltinToolName;
  /** One line for the docs table. */
  summary: string;
  /** Enabled when `--tools` is not given. */
  isDefault: boolean;
  /** `network`: always for web_fetch; for web_search only with a back end other than `local`. */
  needs: readonly ToolNeed[];
  hints: ToolHints;
  /**
   * Imports the tool's module and returns its factory. Lazy so that `--tools calculator` loads
   * no isolate, Docker or HTML code: each tool's module (and its packages) costs start-up time.
   */
  load(): Promise<ToolFactory>;
}

const WORKSPACE_SUMMARIES: Readonly<Record<(typeof WORKSPACE_TOOL_GROUP)[number], string>> = {
  bash: 'a persistent shell in the `--workspace` copy (cwd and env persist), no network',
  read_file: 'numbered lines of a workspace file, in windows',
  write_file: 'create or overwrite a workspace file',
  edit_file: 'exact string replacement in a workspace file, unique unless replace_all',
  apply_patch: "Codex's `*** Begin Patch` format, all-or-nothing",
};

/**
 * The built-in tools, in the order of `BUILTIN_TOOL_NAMES`. The default tool list, the CLI's
 * `--tools` check, the policy's known tools and the docs table are all derived from here.
 */
export const TOOL_REGISTRY: readonly ToolRegistration[] = Object.freeze([
  {
    name: 'calculator',
    summary: 'exact arithmetic at any size, functions and unit conversion; no code runs',
    isDefault: true,
    needs: [],
    hints: READS_ONLY,
    load: async () => {
      const { createCalculatorTool } = await import('./calculator/index.js');
      return () => ({ tool: createCalculatorTool() });
    },
  },
  {
    name: 'python',
    summary: 'a persistent Python session in a locked-down container, no network',
    isDefault: true,
    needs: ['docker'],
    hints: RUNS_CODE,
    load: async () => {
      const { createPythonTool } = await import('./python/index.js');
      return (options) => {
        const tool = createPythonTool({
          ...(options.image === undefined ? {} : { image: options.image }),
          ...(options.pythonPool === undefined
            ? {}
            : { sandbox: { poolSize: options.pythonPool } }),
        });
        return { tool, close: () => tool.close() };
      };
    },
  },
  {
    name: 'javascript',
    summary: 'JavaScript in a V8 isolate kept for the episode; no Node, files, timers or network',
    isDefault: true,
    needs: ['isolate'],
    hints: RUNS_CODE,
    load: async () => {
      const { createJavascriptTool } = await import('./javascript/index.js');
      return () => ({ tool: createJavascriptTool() });
    },
  },
  {
    name: 'web_search',
    summary: 'search the local corpus (offline) or SearXNG, Brave or Tavily',
    isDefault: true,
    needs: ['network'],
    hints: READS_THE_WEB,
    load: async () => {
      const { createWebSearchTool } = await import('./web-search/index.js');
      return (options) => ({
        tool: createWebSearchTool({
          backend: options.search ?? 'local',
          ...(options.searchUrl === undefined ? {} : { url: options.searchUrl }),
          ...(options.corpusDir === undefined ? {} : { corpusDir: options.corpusDir }),
          ...(options.env === undefined ? {} : { env: options.env }),
        }),
      });
    },
  },
  {
    name: 'web_fetch',
    summary: 'fetch a page as Markdown, with SSRF protection; reads corpus:// pages offline',
    isDefault: true,
    needs: ['network'],
    hints: READS_THE_WEB,
    load: async () => {
      const [{ createWebFetchTool }, { defaultCorpusDir }] = await Promise.all([
        import('./web-fetch/index.js'),
        import('./web-search/corpus.js'),
      ]);
      return (options) => {
        // With the local search back end, its corpus:// result URLs must be readable too.
        const local = (options.search ?? 'local') === 'local';
        const corpusDir = options.corpusDir ?? (local ? defaultCorpusDir() : undefined);
        const tool = createWebFetchTool(corpusDir === undefined ? {} : { corpusDir });
        return { tool, close: () => tool.close() };
      };
    },
  },
  ...WORKSPACE_TOOL_GROUP.map(
    (name): ToolRegistration => ({
      name,
      summary: WORKSPACE_SUMMARIES[name],
      isDefault: false,
      needs: ['docker'],
      // Reading is the only coding tool that cannot change the workspace.
      hints: name === 'read_file' ? READS_ONLY : CHANGES_FILES,
      load: async () => {
        const { createWorkspaceTools } = await import('./workspace/index.js');
        return (options) => ({
          tool: workspaceTool(createWorkspaceTools, name, options.workspace),
        });
      },
    }),
  ),
] satisfies ToolRegistration[]);

function workspaceTool(
  create: (provider: WorkspaceProvider) => AnyToolDefinition[],
  name: string,
  provider: WorkspaceProvider | undefined,
): AnyToolDefinition {
  const workspace: WorkspaceProvider =
    provider ??
    (() =>
      Promise.reject(
        new UsageError(
          'USAGE',
          `the ${name} tool works on a copy of a folder: pass --workspace DIR`,
        ),
      ));
  const tool = create(workspace).find((t) => t.name === name);
  if (!tool) throw new Error(`no workspace tool ${name}`);
  return tool;
}

const registrations = new Map(TOOL_REGISTRY.map((row) => [row.name, row]));

/**
 * The annotations of a tool `mcp serve` offers. A tool not in the registry (an MCP tool passed
 * through) gets the spec's cautious defaults: it may write, destroy and reach the world.
 */
export function toolHints(name: string): ToolHints {
  return (
    registrations.get(name as BuiltinToolName)?.hints ?? {
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
      openWorldHint: true,
    }
  );
}

/** The tools enabled when `--tools` is not given. */
export const DEFAULT_TOOLS = TOOL_REGISTRY.filter((row) => row.isDefault)
  .map((row) => row.name)
  .join(',');

/** The registry as a Markdown table, for the docs. */
export function toolTable(): string {
  const rows = TOOL_REGISTRY.map(
    (row) =>
      `| \`${row.name}\` | ${row.summary} | ${row.isDefault ? 'yes' : 'no'} | ${row.needs.join(', ') || '-'} |`,
  );
  return ['| tool | does | default | needs |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** Whether any of the named tools has the need (a name not in the registry has none). */
export function toolsNeed(names: readonly string[], need: ToolNeed): boolean {
  return names.some((name) => registrations.get(name as BuiltinToolName)?.needs.includes(need));
}

/** Parses a `--tools` value: a comma-separated list of tool names, or `none`. */
export function parseToolList(value: string): BuiltinToolName[] {
  const trimmed = value.trim();
  if (trimmed === 'none' || trimmed === '') return [];
  const names = trimmed
    .split(',')
    .map((n) => n.trim())
    .flatMap((n) => (n === 'workspace' ? [...WORKSPACE_TOOL_GROUP] : [n]));
  for (const name of names) {
    if (!isBuiltinToolName(name)) {
      throw new UsageError(
        'USAGE',
        `--tools: unknown tool "${name}"; the tools are ${BUILTIN_TOOL_NAMES.join(', ')} ("workspace" names the last five, "none" none)`,
      );
    }
  }
  return [...new Set(names as BuiltinToolName[])];
}

/** Makes tool sets from the named tools; only those whose modules were loaded. */
export type ToolSetMaker = (
  names: readonly BuiltinToolName[],
  options?: BuiltinToolOptions,
) => ToolSet;

/**
 * Loads the modules of the named tools, and only those, and returns what makes tool sets of
 * them (a subset per eval arm, say). Naming a tool that was not loaded is a UsageError.
 */
export async function loadBuiltinTools(names: readonly BuiltinToolName[]): Promise<ToolSetMaker> {
  const factories = new Map<BuiltinToolName, ToolFactory>();
  await Promise.all(
    names.map(async (name) => {
      const registration = registrations.get(name);
      if (registration === undefined) throw new UsageError('USAGE', `unknown tool "${name}"`);
      factories.set(name, await registration.load());
    }),
  );
  return (subset, options = {}) => {
    const tools: Record<string, AnyToolDefinition> = {};
    const closers: (() => Promise<void>)[] = [];
    for (const name of subset) {
      const factory = factories.get(name);
      if (factory === undefined) throw new UsageError('USAGE', `unknown tool "${name}"`);
      const created = factory(options);
      tools[name] = created.tool;
      if (created.close) closers.push(created.close);
    }
    return {
      tools,
      async close() {
        await Promise.allSettled(closers.map((close) => close()));
      },
    };
  };
}
