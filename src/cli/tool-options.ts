import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import {
  type BuiltinToolName,
  createBuiltinTools,
  DEFAULT_TOOLS,
  parseToolList,
  type ToolSet,
} from '../../tools/index.js';
import { parseOptions } from './parse-options.js';

/** Adds the flags that pick and configure tools, shared by `run` and `eval`. */
export function addToolOptions(command: Command, defaultTools = DEFAULT_TOOLS): Command {
  return command
    .option('--tools <list>', 'comma-separated tools to enable, or "none"', defaultTools)
    .addOption(
      new Option('--search <backend>', 'the web_search back end')
        .choices(['local', 'searxng', 'brave', 'tavily'])
        .default('local'),
    )
    .option('--search-url <url>', "SearXNG's URL (or an override of a hosted API's)")
    .option('--corpus <dir>', "the local search back end's folder (default examples/corpus)")
    .option(
      '--image <name>',
      'the python sandbox image (default: the one `assay sandbox build` makes)',
    );
}

const toolFlagsSchema = z.object({
  tools: z.string(),
  search: z.enum(['local', 'searxng', 'brave', 'tavily']).default('local'),
  searchUrl: z.url({ message: 'must be a URL such as http://127.0.0.1:8888' }).optional(),
  corpus: z.string().optional(),
  image: z.string().min(1).optional(),
});

export interface ToolChoice {
  names: BuiltinToolName[];
  create(names?: readonly BuiltinToolName[]): ToolSet;
}

/** Validates the tool flags; `create` makes a tool set (for all names, or a subset per arm). */
export function toolsFromOptions(
  raw: Record<string, unknown>,
  options: { pythonPool?: number } = {},
  env = process.env,
): ToolChoice {
  const flags = parseOptions(toolFlagsSchema, raw);
  const names = parseToolList(flags.tools);
  return {
    names,
    create: (subset = names) =>
      createBuiltinTools(subset, {
        search: flags.search,
        env,
        ...(options.pythonPool === undefined ? {} : { pythonPool: options.pythonPool }),
        ...(flags.searchUrl === undefined ? {} : { searchUrl: flags.searchUrl }),
        ...(flags.corpus === undefined ? {} : { corpusDir: resolve(flags.corpus) }),
        ...(flags.image === undefined ? {} : { image: flags.image }),
      }),
  };
}
