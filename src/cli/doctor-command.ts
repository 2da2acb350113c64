import type { Command } from 'commander';
import type { SetExit } from './commands.js';
import { DEFAULT_BASE_URL } from './model-options.js';

export function registerDoctorCommand(program: Command, setExit: SetExit): void {
  program
    .command('doctor')
    .description(
      'check the Docker engine, the sandbox image and the model server, and say how to fix them',
    )
    .option(
      '--base-url <url>',
      `the model server's base URL (env ASSAY_BASE_URL; default ${DEFAULT_BASE_URL})`,
    )
    .option('--image <name>', 'check this sandbox image instead of the default one')
    .action(async (raw: Record<string, unknown>) => {
      // The checks (and zod, the sandbox's modules) load only when the command runs.
      const { doctorCommand } = await import('./doctor-action.js');
      setExit(await doctorCommand(raw));
    });
}
