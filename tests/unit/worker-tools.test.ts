import { describe, expect, it } from 'vitest';
import { workerTools } from '../../src/cli/worker-action.js';
import { AssayError } from '../../src/core/errors.js';

type Choice = Parameters<typeof workerTools>[0];
type Mcp = NonNullable<Parameters<typeof workerTools>[1]>;

const created: string[][] = [];
const choice = {
  names: ['calculator'],
  create: (names: readonly string[]) => {
    created.push([...names]);
    return {
      tools: Object.fromEntries(names.map((n) => [n, { name: n }])),
      close: async () => {},
    };
  },
} as unknown as Choice;
const mcp = { tools: { mcp__fs__read: { name: 'mcp__fs__read' } } } as unknown as Mcp;

describe("a worker's tools for a queued arm", () => {
  it('fails the job naming the MCP tool and --mcp when the worker has no such server', () => {
    const call = () => workerTools(choice, null, ['calculator', 'mcp__fs__read'], 'w1');
    expect(call).toThrow(AssayError);
    expect(call).toThrow(/worker w1 has no tool "mcp__fs__read": start it with --mcp FILE/);
  });

  it('fails the job naming a built-in tool the worker was not started with', () => {
    expect(() => workerTools(choice, mcp, ['python'], 'w2')).toThrow(
      /worker w2 has no tool "python": start it with --tools/,
    );
  });

  it('gives the arm its built-in and MCP tools when the worker has both', () => {
    const set = workerTools(choice, mcp, ['calculator', 'mcp__fs__read'], 'w3');
    expect(Object.keys(set.tools).sort()).toEqual(['calculator', 'mcp__fs__read']);
    expect(created.at(-1)).toEqual(['calculator']);
  });
});
