import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerAllCommands } from '../../src/cli/commands.js';

/**
 * docs/cli.md is the contract behind `--help`: every flag a command declares is documented
 * there, and every flag it documents exists, so neither drifts from the other.
 */
const DOC = readFileSync(join(import.meta.dirname, '../../docs/cli.md'), 'utf8');

/** Node's own flags, which the page names where it explains how the bin starts Node. */
const NODE_FLAGS = new Set(['--no-node-snapshot']);

interface Declared {
  command: string;
  flag: string;
}

async function declaredFlags(): Promise<Declared[]> {
  const program = new Command('assay');
  await registerAllCommands(program, () => {});
  const found: Declared[] = [];
  const walk = (command: Command, path: string) => {
    for (const option of command.options) {
      if (option.long !== undefined) found.push({ command: path, flag: option.long });
    }
    for (const sub of command.commands) walk(sub, `${path} ${sub.name()}`.trim());
  };
  walk(program, '');
  return found;
}

/** `--flag` as the page writes it in code spans; `--no-x` is commander's negation of `--x`. */
function documentedFlags(): Set<string> {
  const flags = new Set<string>();
  for (const span of DOC.matchAll(/`([^`]+)`/g)) {
    for (const flag of span[1]!.matchAll(/(?:^|[\s[(/|,])(--[a-z][a-z0-9-]*)/g))
      flags.add(flag[1]!);
  }
  return flags;
}

describe('docs/cli.md matches --help', () => {
  it('documents every flag that a command declares', async () => {
    const declared = await declaredFlags();
    expect(declared.length).toBeGreaterThan(40);
    const documented = documentedFlags();
    const missing = declared
      .filter(({ flag }) => flag !== '--help' && flag !== '--version' && !documented.has(flag))
      .map(({ command, flag }) => `${command} ${flag}`);
    expect(missing).toEqual([]);
  });

  it('documents no flag that no command declares', async () => {
    const declared = new Set((await declaredFlags()).map(({ flag }) => flag));
    const stale = [...documentedFlags()].filter(
      (flag) =>
        flag !== '--help' && flag !== '--version' && !NODE_FLAGS.has(flag) && !declared.has(flag),
    );
    expect(stale).toEqual([]);
  });
});
