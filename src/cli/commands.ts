import type { Command } from 'commander';
import { registerDoctorCommand } from './doctor-command.js';
import { registerEvalCommand } from './eval-command.js';
import { registerExportCommand } from './export-command.js';
import { registerPolicyCommand } from './policy-command.js';
import { registerRunCommand } from './run-command.js';
import { registerSandboxCommand } from './sandbox-command.js';
import { registerSuitesCommand } from './suites-command.js';
import { registerTracesCommand } from './traces-command.js';

/** Sets the exit code of the command that ran, for commands that end without throwing. */
export type SetExit = (code: number) => void;

/** Registers every subcommand. Each lives in its own `*-command.ts` file. */
export function registerCommands(program: Command, setExit: SetExit): void {
  registerRunCommand(program, setExit);
  registerEvalCommand(program, setExit);
  registerTracesCommand(program, setExit);
  registerExportCommand(program, setExit);
  registerPolicyCommand(program, setExit);
  registerSandboxCommand(program, setExit);
  registerDoctorCommand(program, setExit);
  registerSuitesCommand(program, setExit);
}
