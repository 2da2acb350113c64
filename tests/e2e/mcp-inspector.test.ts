import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { startServeHttp } from '../support/mcp-serve-http.js';

/**
 * `assay mcp serve` driven by the MCP Inspector's CLI mode, a client assay did not write.
 * inspector-cli 0.16.4 is the last release that runs on Node 20 (later ones need Node ≥ 22).
 */
const INSPECTOR = join(
  dirname(createRequire(import.meta.url).resolve('@modelcontextprotocol/inspector-cli')),
  'index.js',
);
const BIN = resolve('bin/assay.js');
const POLICY = resolve('tests/fixtures/mcp/serve-policy.yaml');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function inspector(args: readonly string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [INSPECTOR, ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** The Inspector prints the method's result as JSON; anything else on stdout fails the parse. */
function result(run: Run): Record<string, unknown> {
  if (run.code !== 0) throw new Error(`the Inspector exited with ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** The trace's records once `count` are there: a server may finish its record just after the
 * Inspector exited. */
async function traceRecords(path: string, count: number) {
  const read = async () =>
    (await readFile(path, 'utf8').catch(() => ''))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => traceRecordSchema.parse(JSON.parse(line)));
  for (let i = 0; i < 300 && (await read()).length < count; i++)
    await new Promise((r) => setTimeout(r, 100));
  return read();
}

describe('assay mcp serve under the MCP Inspector CLI', { timeout: 120_000 }, () => {
  it('lists the tools with annotations, runs a call, returns a denial as isError, over stdio', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'assay-mcp-inspector-'));
    const trace = join(dir, 'trace.jsonl');
    const serve = (method: string[]) =>
      inspector([
        // The Inspector wants the command before `--` and passes what follows to it.
        process.execPath,
        ...method,
        '--',
        BIN,
        'mcp',
        'serve',
        '--tools',
        'calculator',
        '--policy',
        POLICY,
        '--trace',
        trace,
      ]);

    const listed = result(await serve(['--method', 'tools/list'])) as {
      tools: { name: string; annotations?: Record<string, boolean>; inputSchema: object }[];
    };
    expect(listed.tools.map((t) => t.name)).toEqual(['calculator']);
    expect(listed.tools[0]!.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
      openWorldHint: false,
    });
    expect(listed.tools[0]!.inputSchema).toMatchObject({
      properties: { expression: { type: 'string' } },
    });

    const calculate = async (expression: string) =>
      result(
        await serve(
          ['--method', 'tools/call', '--tool-name', 'calculator'].concat([
            '--tool-arg',
            `expression=${expression}`,
          ]),
        ),
      ) as { isError?: boolean; content: { type: string; text: string }[] };
    expect(await calculate('2^70')).toEqual({
      content: [{ type: 'text', text: '1180591620717411303424' }],
    });
    const denied = await calculate('99999 + 1');
    expect(denied.isError).toBe(true);
    expect(denied.content[0]!.text).toContain('five nines are not allowed here');

    // Each Inspector run is one MCP session, so one trace record each; the call sessions
    // carry the policy's decisions.
    const records = await traceRecords(trace, 3);
    expect(records).toHaveLength(3);
    const calls = records.flatMap((r) => r.tool_calls);
    expect(calls.map((c) => [c.name, c.policy?.decision, c.policy?.rule])).toEqual([
      ['calculator', 'allow', 'calc'],
      ['calculator', 'deny', 'no-nines'],
    ]);
  });

  it('calls the calculator over Streamable HTTP', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'assay-mcp-inspector-http-'));
    const { url, child } = await startServeHttp([
      '--tools',
      'calculator',
      '--policy',
      POLICY,
      '--trace',
      join(dir, 'trace.jsonl'),
    ]);
    try {
      const called = result(
        await inspector([
          url,
          '--transport',
          'http',
          '--method',
          'tools/call',
          '--tool-name',
          'calculator',
          '--tool-arg',
          'expression=6*7',
        ]),
      );
      expect(called).toEqual({ content: [{ type: 'text', text: '42' }] });
    } finally {
      child.kill('SIGTERM');
    }
  });
});
