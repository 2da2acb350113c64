import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  COMMAND_SUMMARIES,
  registerAllCommands,
  registerCommands,
} from '../../src/cli/commands.js';

function program(): Command {
  return new Command('assay').description('the top-level help').version('0.0.0');
}

const noExit = () => {};

describe('the command summaries of the top-level help', () => {
  it('print exactly the help that the fully registered commands print', async () => {
    const full = program();
    await registerAllCommands(full, noExit);
    const summaries = program();
    await registerCommands(summaries, noExit, ['--help']);
    expect(summaries.helpInformation()).toBe(full.helpInformation());
    expect(summaries.commands.map((command) => command.name())).toEqual(
      full.commands.map((command) => command.name()),
    );
  });

  it('name every command in the summary table and nothing else', async () => {
    const full = program();
    await registerAllCommands(full, noExit);
    expect(Object.keys(COMMAND_SUMMARIES)).toEqual(full.commands.map((command) => command.name()));
  });

  it('give way to the real command when one is named, also after `help`', async () => {
    for (const argv of [
      ['run', '--help'],
      ['help', 'run'],
      ['run', 'What is 2+2?'],
    ]) {
      const registered = program();
      await registerCommands(registered, noExit, argv);
      expect(registered.commands.map((command) => command.name())).toEqual(['run']);
      expect(registered.commands[0]!.options.some((option) => option.long === '--tools')).toBe(
        true,
      );
    }
  });
});
