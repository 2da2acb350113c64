import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import type { BuiltinToolName, ToolSet } from '../../tools/registry.js';
import { WEB_SEARCH_BACKENDS } from '../../tools/web-search/backend-names.js';
import type { WorkspaceProvider } from '../../tools/workspace/index.js';
import { InfraError } from '../core/errors.js';
import { BUILTIN_TOOL_NAMES } from '../core/tool-names.js';
import { parseOptions } from './parse-options.js';
import type { PythonSandboxStatus } from './python-availability.js';

/**
 * Adds the flags that pick and configure tools, shared by `run` and `eval`. The default tool
 * list is filled in by `toolsFromOptions`, so that registering the flags (for `--help`) loads
 * no tool module.
 */
export function addToolOptions(command: Command): Command {
  return command
    .option(
      '--tools <list>',
      `comma-separated tools to enable (${BUILTIN_TOOL_NAMES.join(', ')}), or "none" (default: every default tool)`,
    )
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
    )
    .option(
      '--docker-host <url>',
      'the Docker engine of the sandboxes: unix://, tcp:// (TLS on 2376) or ssh:// (env DOCKER_HOST)',
    );
}

/** The schema of the tool flags, built on first use so that `--help` loads no zod. */
async function toolFlagsSchema() {
  const { z } = await import('zod');
  return z.object({
    tools: z.string().optional(),
    search: z.enum(WEB_SEARCH_BACKENDS).default('local'),
    searchUrl: z.url({ message: 'must be a URL such as http://127.0.0.1:8888' }).optional(),
    corpus: z.string().optional(),
    image: z.string().min(1).optional(),
    dockerHost: z.string().min(1).optional(),
  });
}

let toolFlags: ReturnType<typeof toolFlagsSchema> | undefined;

export interface ToolChoice {
  names: BuiltinToolName[];
  /** `--image`: the python sandbox image, when one was named. */
  image?: string;
  create(names?: readonly BuiltinToolName[]): ToolSet;
}

/** Whether `--tools` was typed on the command line rather than left at its default. */
export function toolsGiven(command: Command): boolean {
  return command.getOptionValueSource('tools') === 'cli';
}

/**
 * Validates the tool flags; `create` makes a tool set (for all names, or a subset per arm).
 * The tools' modules (mathjs, isolated-vm, dockerode …) are imported here, by the commands
 * that run tools, and never by `--help`.
 */
export async function toolsFromOptions(
  raw: Record<string, unknown>,
  options: { pythonPool?: number; workspace?: WorkspaceProvider; defaultTools?: string } = {},
  env = process.env,
): Promise<ToolChoice> {
  toolFlags ??= toolFlagsSchema();
  const flags = parseOptions(await toolFlags, raw);
  // Every engine of this process (sandboxes, the reaper, the code_tests verifier) reads
  // DOCKER_HOST, so the flag is one setting for all of them, checked here before any is made.
  if (flags.dockerHost !== undefined) {
    const { dockerOptionsFor } = await import('../../sandbox/docker/engine-host.js');
    dockerOptionsFor(flags.dockerHost, env);
    process.env['DOCKER_HOST'] = flags.dockerHost;
  }
  // The registry, not tools/index.js: only the named tools' modules load (see registry.ts).
  const { loadBuiltinTools, DEFAULT_TOOLS, parseToolList } = await import(
    '../../tools/registry.js'
  );
  const names = parseToolList(flags.tools ?? options.defaultTools ?? DEFAULT_TOOLS);
  const makeTools = await loadBuiltinTools(names);
  return {
    names,
    ...(flags.image === undefined ? {} : { image: flags.image }),
    create: (subset = names) =>
      makeTools(subset, {
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

/**
 * Runs the command again without Node's start-up snapshot when its tools make JavaScript
 * isolates (the registry's `isolate` need: isolated-vm needs `--no-node-snapshot`), and
 * resolves to that child's exit code; undefined when this process runs the command itself.
 * For `run` and `mcp serve`: without `--tools`, the tools are the coding tools with
 * `--workspace` (as both commands choose them) and the registry's defaults without. A
 * `--tools` value that does not parse is left for the command to report.
 */
export async function rerunIfToolsNeedIsolates(
  raw: Record<string, unknown>,
): Promise<number | undefined> {
  const { rerunWithoutSnapshot, snapshotRerunNeeded } = await import('./snapshot-rerun.js');
  if (!snapshotRerunNeeded()) return undefined;
  const { DEFAULT_TOOLS, parseToolList, toolsNeed } = await import('../../tools/registry.js');
  const defaultTools = raw['workspace'] === undefined ? DEFAULT_TOOLS : 'workspace';
  const list = typeof raw['tools'] === 'string' ? raw['tools'] : defaultTools;
  let names: string[];
  try {
    names = parseToolList(list);
  } catch {
    return undefined;
  }
  return toolsNeed(names, 'isolate') ? rerunWithoutSnapshot() : undefined;
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
  let check = options.checkPython;
  if (check === undefined) {
    // Loaded here: it reads the sandbox image recipe, which `--help` has no use for.
    const { checkPythonSandbox } = await import('./python-availability.js');
    check = (image) => checkPythonSandbox({ image });
  }
  const status = await check(choice.image);
  if (status.usable) {
    if (options.checkPython === undefined) reapInBackground();
    return choice;
  }
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

/**
 * Removes, without waiting, the sandbox containers of assay processes that died (`kill -9`):
 * every run that can use python cleans up after earlier ones, whether or not it calls python.
 * Containers of live processes are never touched; a failure only leaves them for the next run.
 */
function reapInBackground(): void {
  void (async () => {
    const [{ DockerEngine }, { reapOrphans }] = await Promise.all([
      import('../../sandbox/docker/engine.js'),
      import('../../sandbox/docker/reaper.js'),
    ]);
    await reapOrphans(new DockerEngine({ callTimeoutMs: 5_000 }));
  })().catch(() => undefined);
}
