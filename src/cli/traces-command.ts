import type { Command } from 'commander';
import type { SetExit } from './commands.js';

/**
 * `assay traces …`: the group of trace-file commands. Each subcommand is added by its own
 * function below; `traces export` joins the group the same way.
 */
export function registerTracesCommand(program: Command, setExit: SetExit): void {
  const traces = program.command('traces').description('check and convert JSONL trace files');
  addValidateCommand(traces, setExit);
}

function addValidateCommand(traces: Command, setExit: SetExit): void {
  traces
    .command('validate')
    .description('check every line of a trace file against the trace schema')
    .argument('<file>', 'a JSONL trace file')
    .action(async (file: string) => {
      setExit(await validateTraceFile(file, (text) => process.stdout.write(`${text}\n`)));
    });
}

/**
 * Prints each bad line as `FILE:LINE: message`, then a summary, and returns the exit code:
 * 0 when every line is a valid record (torn lines from a crash are warnings), 2 otherwise.
 */
async function validateTraceFile(file: string, print: (text: string) => void): Promise<number> {
  // Loaded here: the trace schema (zod) is of no use to `--help`.
  const { readTraceLines } = await import('../trace/reader.js');
  let valid = 0;
  let invalid = 0;
  let torn = 0;
  for await (const entry of readTraceLines(file)) {
    if ('record' in entry) {
      valid++;
    } else if (entry.torn) {
      torn++;
      print(`${file}:${entry.line}: warning: ${entry.error}`);
    } else {
      invalid++;
      print(`${file}:${entry.line}: ${entry.error}`);
    }
  }
  const parts = [count(valid, 'valid record')];
  if (invalid > 0) parts.push(count(invalid, 'invalid line'));
  if (torn > 0) parts.push(`${count(torn, 'torn line')} skipped (not an error)`);
  print(`${file}: ${parts.join(', ')}`);
  return invalid > 0 ? 2 : 0;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
