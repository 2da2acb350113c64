import type { Command } from 'commander';

/** Sets the exit code of the command that ran, for commands that end without throwing. */
export type SetExit = (code: number) => void;

type Register = (program: Command, setExit: SetExit) => void;

/**
 * Every subcommand, each in its own `*-command.ts` file, loaded on demand: a command pays
 * only for the modules it uses (mathjs, isolated-vm, dockerode … load only when needed).
 */
const COMMANDS: Record<string, () => Promise<Register[]>> = {
  run: async () => [(await import('./run-command.js')).registerRunCommand],
  eval: async () => [(await import('./eval-command.js')).registerEvalCommand],
  traces: async () => [
    (await import('./traces-command.js')).registerTracesCommand,
    (await import('./export-command.js')).registerExportCommand,
  ],
  policy: async () => [(await import('./policy-command.js')).registerPolicyCommand],
  sandbox: async () => [(await import('./sandbox-command.js')).registerSandboxCommand],
  doctor: async () => [(await import('./doctor-command.js')).registerDoctorCommand],
  suites: async () => [(await import('./suites-command.js')).registerSuitesCommand],
  mcp: async () => [(await import('./mcp-command.js')).registerMcpCommand],
  worker: async () => [(await import('./worker-command.js')).registerWorkerCommand],
};

/**
 * What `assay --help` lists for each command: its term and its description. The top-level help
 * is printed from this table alone (top-help.ts), so that it loads neither commander nor any
 * command file (each builds zod schemas and imports the modules it runs).
 * tests/unit/cli-command-summaries.test.ts checks that the table prints exactly what the
 * registered commands would.
 */
export const COMMAND_SUMMARIES: Readonly<Record<string, { term: string; description: string }>> = {
  run: {
    term: 'run [options] <prompt>',
    description: 'run one episode and print the final answer',
  },
  eval: {
    term: 'eval [options] <suite>',
    description: 'run a suite with tools and without, and measure the difference',
  },
  traces: { term: 'traces', description: 'check and convert JSONL trace files' },
  policy: { term: 'policy', description: 'check policy files and explain their decisions' },
  sandbox: { term: 'sandbox', description: 'the Docker sandbox of the python tool' },
  doctor: {
    term: 'doctor [options]',
    description:
      'check the Docker engine, the sandbox image and the model server, and say how to fix them',
  },
  suites: { term: 'suites', description: 'import and check task suites (JSONL)' },
  mcp: { term: 'mcp', description: 'assay as an MCP server' },
  worker: {
    term: 'worker [options]',
    description:
      'run the episodes of `assay eval --queue` runs with this machine’s model and tools',
  },
};

/** The command that `argv` runs or asks help for (`assay help run` is `run`), if any. */
function commandNamed(argv: readonly string[]): string | undefined {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  const first = words[0] === 'help' ? words[1] : words[0];
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? first : undefined;
}

/** Registers every command for real: their code loads, their options are declared. */
export async function registerAllCommands(program: Command, setExit: SetExit): Promise<void> {
  for (const name of Object.keys(COMMANDS)) {
    for (const register of await COMMANDS[name]!()) register(program, setExit);
  }
}

/**
 * Registers the command named in `argv`. With none (top-level help, a version, an unknown
 * command), registers only the names and summaries, which is all commander prints then.
 */
export async function registerCommands(
  program: Command,
  setExit: SetExit,
  argv: readonly string[],
): Promise<void> {
  const name = commandNamed(argv);
  if (name !== undefined) {
    for (const register of await COMMANDS[name]!()) register(program, setExit);
    return;
  }
  for (const [command, summary] of Object.entries(COMMAND_SUMMARIES)) {
    program.command(command).description(summary.description);
  }
  const helper = program.createHelp();
  program.configureHelp({
    subcommandTerm: (command) =>
      Object.hasOwn(COMMAND_SUMMARIES, command.name())
        ? COMMAND_SUMMARIES[command.name()]!.term
        : helper.subcommandTerm(command),
  });
}
