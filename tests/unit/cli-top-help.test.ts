import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCommands } from '../../src/cli/commands.js';
import { PROGRAM_DESCRIPTION, topHelpRequest, topHelpText } from '../../src/cli/top-help.js';

/** What commander prints for `assay --help` at this width, with the program as main.ts makes it. */
async function commanderHelp(width: number | undefined): Promise<string> {
  const program = new Command('assay')
    .description(PROGRAM_DESCRIPTION)
    .version('0.1.0')
    .exitOverride()
    // Commander's own default answers undefined when stdout is not a terminal; its type says number.
    .configureOutput({ getOutHelpWidth: () => width as number });
  await registerCommands(program, () => {}, ['--help']);
  return program.helpInformation();
}

describe('assay --help without commander', () => {
  const widths = [40, 50, 60, 72, 80, 100, 120, 160, 200];
  it.each(widths)('prints what commander prints at %i columns', async (width) => {
    expect(topHelpText(width)).toBe(await commanderHelp(width));
  });

  it('wraps as the width asks: the description, the command descriptions, or nothing', () => {
    expect(topHelpText(40)).toContain('AI agents\nthat measures');
    expect(topHelpText(40)).toContain('and measure the difference\n');
    expect(topHelpText(80)).toContain('and measure the\n                          difference');
    expect(topHelpText(200)).toContain('and measure the difference\n');
    expect(topHelpText(200).split('\n')).toHaveLength(20);
  });

  it('prints commander’s 80 columns when the output is not a terminal', async () => {
    expect(topHelpText()).toBe(await commanderHelp(undefined));
  });

  it('answers only the argument lists that ask for the top-level help', () => {
    expect(topHelpRequest([])).toBe('err');
    expect(topHelpRequest(['--help'])).toBe('out');
    expect(topHelpRequest(['-h'])).toBe('out');
    expect(topHelpRequest(['help'])).toBe('out');
    expect(topHelpRequest(['run', '--help'])).toBeUndefined();
    expect(topHelpRequest(['help', 'run'])).toBeUndefined();
    expect(topHelpRequest(['--help', '--version'])).toBeUndefined();
    expect(topHelpRequest(['--version'])).toBeUndefined();
  });
});
