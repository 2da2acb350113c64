import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addToolOptions } from '../../src/cli/tool-options.js';
import { UsageError } from '../../src/core/errors.js';
import { BUILTIN_TOOL_NAMES } from '../../src/core/tool-names.js';
import { BUILTIN_TOOL_NAMES as POLICY_KNOWN_TOOLS } from '../../src/policy/known-tools.js';
import {
  createBuiltinTools,
  DEFAULT_TOOLS,
  loadBuiltinTools,
  parseToolList,
  TOOL_REGISTRY,
  toolTable,
  WEB_SEARCH_BACKENDS,
} from '../../tools/index.js';

const repoRoot = join(import.meta.dirname, '..', '..');

describe('the built-in tool registry', () => {
  it('has one row per name of the core list, in the same order', () => {
    expect(TOOL_REGISTRY.map((row) => row.name)).toEqual([...BUILTIN_TOOL_NAMES]);
  });

  it('gives the policy the same known tools as the registry, and the policy actions', () => {
    expect([...POLICY_KNOWN_TOOLS]).toEqual([
      ...TOOL_REGISTRY.map((row) => row.name),
      'workspace.apply',
    ]);
  });

  it('derives the default tool list from the rows marked default', () => {
    const defaults = TOOL_REGISTRY.filter((row) => row.isDefault).map((row) => row.name);
    expect(DEFAULT_TOOLS.split(',')).toEqual(defaults);
    expect(parseToolList(DEFAULT_TOOLS)).toEqual(defaults);
  });

  it('says which tools need Docker, which reach the network and which make isolates', () => {
    const needs = Object.fromEntries(TOOL_REGISTRY.map((row) => [row.name, row.needs]));
    expect(needs).toEqual({
      calculator: [],
      python: ['docker'],
      javascript: ['isolate'],
      web_search: ['network'],
      web_fetch: ['network'],
      bash: ['docker'],
      read_file: ['docker'],
      write_file: ['docker'],
      edit_file: ['docker'],
      apply_patch: ['docker'],
    });
  });

  it('creates every registered tool under its own name and closes them all', async () => {
    const set = createBuiltinTools(parseToolList(BUILTIN_TOOL_NAMES.join(',')));
    try {
      expect(Object.keys(set.tools)).toEqual([...BUILTIN_TOOL_NAMES]);
      for (const [key, tool] of Object.entries(set.tools)) expect(tool.name).toBe(key);
    } finally {
      await set.close();
    }
  });

  it('makes tool sets only of the tools it loaded, and refuses the others', async () => {
    const make = await loadBuiltinTools(['calculator']);
    const set = make(['calculator']);
    try {
      expect(Object.keys(set.tools)).toEqual(['calculator']);
    } finally {
      await set.close();
    }
    expect(() => make(['javascript'])).toThrow(UsageError);
    expect(() => make(['javascript'])).toThrow('unknown tool "javascript"');
  });

  it('refuses an unknown --tools name and lists the registered ones', () => {
    const error = (() => {
      try {
        parseToolList('calculator,shell');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      '--tools: unknown tool "shell"; the tools are calculator, python, javascript, web_search, web_fetch, bash, read_file, write_file, edit_file, apply_patch ("workspace" names the last five, "none" none)',
    );
  });

  it('lists the registered tools in the help of --tools', () => {
    const command = addToolOptions(new Command());
    const tools = command.options.find((option) => option.long === '--tools');
    expect(tools?.description).toContain(BUILTIN_TOOL_NAMES.join(', '));
  });

  it('expands --tools workspace to the five coding tools', () => {
    expect(parseToolList('calculator,workspace')).toEqual([
      'calculator',
      'bash',
      'read_file',
      'write_file',
      'edit_file',
      'apply_patch',
    ]);
  });

  it('offers the search back ends of web_search as the choices of --search', () => {
    const command = addToolOptions(new Command());
    const search = command.options.find((option) => option.long === '--search');
    expect(search?.argChoices).toEqual([...WEB_SEARCH_BACKENDS]);
  });

  it('is the table docs/layers.md shows', () => {
    const doc = readFileSync(join(repoRoot, 'docs', 'layers.md'), 'utf8');
    expect(doc).toContain(toolTable());
  });
});
