import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import {
  type BuiltinToolName,
  createBuiltinTools,
  DEFAULT_TOOLS,
  parseToolList,
  type ToolSet,
  WEB_SEARCH_BACKENDS,
} from '../../tools/index.js';
import type { WorkspaceProvider } from '../../tools/workspace/index.js';
import { InfraError } from '../core/errors.js';
import { parseOptions } from './parse-options.js';
import { checkPythonSandbox, type PythonSandboxStatus } from './python-availability.js';

/** Adds the flags that pick and configure tools, shared by `run` and `eval`. */
export function addToolOptions(command: Command, defaultTools = DEFAULT_TOOLS): Command {
  return command
    .option('--tools <list>', 'comma-separated tools to enable, or "none"', defaultTools)
    .addOption(
      new Option('--search <backend>', 'the web_search back end')
        .choices(WEB_SEARCH_BACKENDS)
        .default('local'),
    )
    .option('--search-url <url>', "SearXNG's URL (or an override of a hosted API's)")
    .option(
      '--corpus <dir>',
      "the local search back end's folder (default tools/web-search/corpus)",
    )
    .option(
      '--image <name>',
      'the python sandbox image (default: the one `assay sandbox build` makes)',
    );
}

const toolFlagsSchema = z.object({
  tools: z.string(),
  search: z.enum(WEB_SEARCH_BACKENDS).default('local'),
  searchUrl: z.url({ message: 'must be a URL such as http://127.0.0.1:8888' }).optional(),
  corpus: z.string().optional(),
  image: z.string().min(1).optional(),
});

export interface ToolChoice {
  names: BuiltinToolName[];
  /** `--image`: the python sandbox image, when one was named. */
  image?: string;
  create(names?: readonly BuiltinToolName[]): ToolSet;
}

/** Whether `--tools` was typed on the command line rather than left at its default. */
export function toolsGiven(command: Command): boolean {
  return command.getOptionValueSource('tools') !== 'default';
}

/** Validates the tool flags; `create` makes a tool set (for all names, or a subset per arm). */
export function toolsFromOptions(
  raw: Record<string, unknown>,
  options: { pythonPool?: number; workspace?: WorkspaceProvider; defaultTools?: string } = {},
  env = process.env,
): ToolChoice {
  const flags = parseOptions(toolFlagsSchema, raw);
  const names = parseToolList(options.defaultTools ?? flags.tools);
  return {
    names,
    ...(flags.image === undefined ? {} : { image: flags.image }),
    create: (subset = names) =>
      createBuiltinTools(subset, {
        search: flags.search,
        env,
        ...(options.pythonPool === undefined ? {} : { pythonPool: options.pythonPool }),
        ...(flags.searchUrl === undefined ? {} : { searchUrl: flags.searchUrl }),
        ...(flags.corpus === undefined ? {} : { corpusDir: resolve(flags.corpus) }),
        ...(flags.image === undefined ? {} : { image: flags.image }),
        ...(options.workspace === undefined ? {} : { workspace: options.workspace }),
      }),
  };
}

export interface UsableToolsOptions {
  /**
   * The flag that asked for the tools (`--tools`, or `--arms` naming one): a tool that cannot
   * run is then an error. Undefined when the default tool list is in use.
   */
  requiredBy: string | undefined;
  onWarning: (message: string) => void;
  /** Asks whether the python sandbox can start; tests replace it. */
  checkPython?: (image: string | undefined) => Promise<PythonSandboxStatus>;
}

/**
 * Checks, before any episode runs, that the python sandbox can start when python is enabled.
 * The default tool list then leaves python out with a warning, so that assay works offline on a
 * machine without Docker; a `--tools` list that names python fails here instead.
 */
export async function usableTools(
  choice: ToolChoice,
  options: UsableToolsOptions,
): Promise<ToolChoice> {
  if (!choice.names.includes('python')) return choice;
  const check = options.checkPython ?? ((image) => checkPythonSandbox({ image }));
  const status = await check(choice.image);
  if (status.usable) return choice;
  if (options.requiredBy !== undefined) {
    const flag = options.requiredBy;
    throw new InfraError(
      status.code,
      `${flag} names python, but ${status.problem}; ${status.fix}, or leave python out of ${flag}`,
      { details: { endpoint: status.endpoint, image: status.image } },
    );
  }
  options.onWarning(`python tool left out: ${status.problem}; ${status.fix}`);
  const names = choice.names.filter((name) => name !== 'python');
  return { ...choice, names, create: (subset = names) => choice.create(subset) };
}
