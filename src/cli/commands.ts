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
  worker: async () => [(await import('./worker-command.js')).registerWorkerCommand],
};

/** Registers the command named first in `argv`, or all of them (for help and errors). */
export async function registerCommands(
  program: Command,
  setExit: SetExit,
  argv: readonly string[],
): Promise<void> {
  const first = argv[0];
  const names =
    first !== undefined && Object.hasOwn(COMMANDS, first) ? [first] : Object.keys(COMMANDS);
  for (const name of names) {
    for (const register of await COMMANDS[name]!()) register(program, setExit);
  }
}
