import { AssayError, errorMessage } from '../core/errors.js';
import { PROGRAM_DESCRIPTION, printTopHelp, topHelpRequest } from './top-help.js';

/** Runs the `assay` command line and resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  // `assay`, `assay --help`: commander's text from the summary table, without loading commander.
  const help = topHelpRequest(argv);
  if (help !== undefined) {
    printTopHelp(help);
    return 0;
  }
  const [{ Command, CommanderError }, { assayVersion }] = await Promise.all([
    import('commander'),
    import('../core/package-root.js'),
  ]);
  const program = new Command('assay')
    .description(PROGRAM_DESCRIPTION)
    .version(assayVersion())
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  let exitCode = 0;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const registrations = await import('./commands.js');
  await registrations.registerCommands(program, setExit, argv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.code === 'commander.help') return 0;
      return 2;
    }
    if (error instanceof AssayError) {
      process.stderr.write(`assay: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`assay: internal error: ${errorMessage(error)}\n`);
    if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
