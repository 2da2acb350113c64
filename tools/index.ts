import { UsageError } from '../src/core/errors.js';
import type { AnyToolDefinition, ToolSet } from '../src/core/tool.js';
import { createCalculatorTool } from './calculator/index.js';
import { createJavascriptTool } from './javascript/index.js';
import { createPythonTool } from './python/index.js';
import { createWebFetchTool } from './web-fetch/index.js';
import {
  createWebSearchTool,
  defaultCorpusDir,
  type WebSearchOptions,
} from './web-search/index.js';

export type { ToolSet } from '../src/core/tool.js';

/** The names of the tools assay ships. */
export const BUILTIN_TOOL_NAMES = [
  'calculator',
  'python',
  'javascript',
  'web_search',
  'web_fetch',
] as const;

export type BuiltinToolName = (typeof BUILTIN_TOOL_NAMES)[number];

/** The tools enabled when `--tools` is not given. */
export const DEFAULT_TOOLS = 'calculator,python,javascript,web_search,web_fetch';

/** Options of the built-in tools, as set by command-line flags. */
export interface BuiltinToolOptions {
  /** `--search`: the web_search back end. */
  search?: WebSearchOptions['backend'];
  /** `--search-url`: SearXNG's URL, or an override of a hosted API's. */
  searchUrl?: string;
  /** `--corpus`: the local search back end's folder (and web_fetch's corpus:// root). */
  corpusDir?: string;
  /** `--image`: the python sandbox image. */
  image?: string;
  /** Warm containers the python tool keeps ready: 0 for one episode, the concurrency for evals. */
  pythonPool?: number;
  env?: NodeJS.ProcessEnv;
}

type Created = { tool: AnyToolDefinition; close?: () => Promise<void> };

const factories: Record<BuiltinToolName, (options: BuiltinToolOptions) => Created> = {
  calculator: () => ({ tool: createCalculatorTool() }),
  javascript: () => ({ tool: createJavascriptTool() }),
  python: (options) => {
    const tool = createPythonTool({
      ...(options.image === undefined ? {} : { image: options.image }),
      ...(options.pythonPool === undefined ? {} : { sandbox: { poolSize: options.pythonPool } }),
    });
    return { tool, close: () => tool.close() };
  },
  web_search: (options) => ({
    tool: createWebSearchTool({
      backend: options.search ?? 'local',
      ...(options.searchUrl === undefined ? {} : { url: options.searchUrl }),
      ...(options.corpusDir === undefined ? {} : { corpusDir: options.corpusDir }),
      ...(options.env === undefined ? {} : { env: options.env }),
    }),
  }),
  web_fetch: (options) => {
    // With the local search back end, its corpus:// result URLs must be readable too.
    const local = (options.search ?? 'local') === 'local';
    const corpusDir = options.corpusDir ?? (local ? defaultCorpusDir() : undefined);
    const tool = createWebFetchTool(corpusDir === undefined ? {} : { corpusDir });
    return { tool, close: () => tool.close() };
  },
};

/** Parses a `--tools` value: a comma-separated list of tool names, or `none`. */
export function parseToolList(value: string): BuiltinToolName[] {
  const trimmed = value.trim();
  if (trimmed === 'none' || trimmed === '') return [];
  const names = trimmed.split(',').map((n) => n.trim());
  for (const name of names) {
    if (!(BUILTIN_TOOL_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(
        'USAGE',
        `--tools: unknown tool "${name}"; the tools are ${BUILTIN_TOOL_NAMES.join(', ')} (or "none")`,
      );
    }
  }
  return [...new Set(names)] as BuiltinToolName[];
}

/** Creates the named built-in tools, keyed by name. Bad options throw a UsageError here. */
export function createBuiltinTools(
  names: readonly BuiltinToolName[],
  options: BuiltinToolOptions = {},
): ToolSet {
  const tools: Record<string, AnyToolDefinition> = {};
  const closers: (() => Promise<void>)[] = [];
  for (const name of names) {
    const created = factories[name](options);
    tools[name] = created.tool;
    if (created.close) closers.push(created.close);
  }
  return {
    tools,
    async close() {
      await Promise.allSettled(closers.map((close) => close()));
    },
  };
}
