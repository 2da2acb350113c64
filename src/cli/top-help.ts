import { COMMAND_SUMMARIES } from './commands.js';

/** What `assay --help` says assay is. */
export const PROGRAM_DESCRIPTION =
  'A local runtime for tool-using AI agents that measures what tools are worth.';

/** Commander's defaults: the width without a terminal, and the narrowest it wraps at. */
const DEFAULT_WIDTH = 80;
const MIN_WIDTH_TO_WRAP = 40;
const INDENT = 2;
const SPACER = 2;

const OPTIONS: readonly (readonly [string, string])[] = [
  ['-V, --version', 'output the version number'],
  ['-h, --help', 'display help for command'],
];

/**
 * The argument lists that only ask for the top-level help: `assay` (written to stderr, as
 * commander does when a command is missing), `assay --help`, `assay -h` and `assay help`.
 */
export function topHelpRequest(argv: readonly string[]): 'out' | 'err' | undefined {
  if (argv.length === 0) return 'err';
  if (argv.length === 1 && ['--help', '-h', 'help'].includes(argv[0]!)) return 'out';
  return undefined;
}

/** Commander's `boxWrap`: wraps at whitespace, keeps line breaks, trims the space at a break. */
function wrap(text: string, width: number): string {
  if (width < MIN_WIDTH_TO_WRAP) return text;
  const lines: string[] = [];
  for (const line of text.split(/\r\n|\n/)) {
    const chunks = line.match(/\s*\S+/g);
    if (chunks === null) {
      lines.push('');
      continue;
    }
    let current = chunks[0]!;
    for (const chunk of chunks.slice(1)) {
      if (current.length + chunk.length <= width) {
        current += chunk;
      } else {
        lines.push(current);
        current = chunk.trimStart();
      }
    }
    lines.push(current);
  }
  return lines.join('\n');
}

/** Commander's `formatItem`: the term padded to `termWidth`, the description wrapped beside it. */
function item(term: string, termWidth: number, description: string, width: number): string {
  const remaining = width - termWidth - SPACER - INDENT;
  const wrapped =
    remaining < MIN_WIDTH_TO_WRAP
      ? description
      : wrap(description, remaining).replace(/\n/g, `\n${' '.repeat(termWidth + SPACER)}`);
  const pad = ' '.repeat(INDENT);
  return `${pad}${term.padEnd(termWidth)}${' '.repeat(SPACER)}${wrapped.replace(/\n/g, `\n${pad}`)}`;
}

/**
 * The text commander prints for `assay --help`, built from `COMMAND_SUMMARIES` alone so that the
 * top-level help loads neither commander nor any command file. `width` is the terminal's
 * (commander's 80 when the output is not a terminal). tests/unit/cli-top-help.test.ts checks
 * it against commander's own output.
 */
export function topHelpText(width: number = DEFAULT_WIDTH): string {
  const commands: [string, string][] = [
    ...Object.values(COMMAND_SUMMARIES).map(({ term, description }): [string, string] => [
      term,
      description,
    ]),
    ['help [command]', 'display help for command'],
  ];
  const termWidth = Math.max(...[...OPTIONS, ...commands].map(([term]) => term.length));
  return [
    'Usage: assay [options] [command]',
    '',
    wrap(PROGRAM_DESCRIPTION, width),
    '',
    'Options:',
    ...OPTIONS.map(([term, description]) => item(term, termWidth, description, width)),
    '',
    'Commands:',
    ...commands.map(([term, description]) => item(term, termWidth, description, width)),
    '',
  ].join('\n');
}

/** Prints the top-level help where commander would, at the width it would use. */
export function printTopHelp(to: 'out' | 'err'): void {
  const stream = to === 'out' ? process.stdout : process.stderr;
  stream.write(topHelpText(stream.isTTY ? stream.columns : undefined));
}
