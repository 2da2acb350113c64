import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolThenAnswerScript } from '../../src/testing/scripts.js';
import { runCli } from '../support/cli.js';
import { startServeHttp } from '../support/mcp-serve-http.js';
import { MODULE_LOG_HOOK, runLoggingModules } from '../support/module-log.js';
import { startScriptedServer } from '../support/scripted-server.js';

// The bin starts plain `node`, with Node's start-up snapshot; a command that may make
// JavaScript isolates runs its own command line again in `node --no-node-snapshot`
// (src/cli/snapshot-rerun.ts), which isolated-vm needs.

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'assay.js');

let dir: string;
let runs = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'assay-rerun-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A model that calls the javascript tool with the prompt as code, then answers with its result. */
function javascriptScript() {
  return toolThenAnswerScript({
    tool: 'javascript',
    args: (prompt) => ({ code: prompt }),
    answer: (result) => `js: ${result}`,
  });
}

/** `assay run` against the scripted server with these tools; the trace goes to a new file. */
function runArgs(url: string, tools: string, prompt: string): { args: string[]; trace: string } {
  const trace = join(dir, `trace-${runs++}.jsonl`);
  return {
    args: ['run', '--base-url', url, '--model', 'm', '--tools', tools, '--trace', trace, prompt],
    trace,
  };
}

/**
 * Runs `node --import module-log.mjs bin/assay.js ARGS` as the shebang does (no flag of its own)
 * and counts the processes that loaded the bin: the rerun keeps Node's flags, the log's
 * `--import` included.
 */
async function binLoads(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string; loads: number }> {
  const log = join(dir, `modules-${runs++}.log`);
  const { urls, ...run } = await runLoggingModules([BIN, ...args], log, env);
  return { ...run, loads: urls.filter((url) => url.endsWith('/bin/assay.js')).length };
}

/** Resolves to the status of an initialize POST, or to the error code when nothing listens. */
function probe(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end('{}');
  });
}

describe('the Node snapshot rerun', () => {
  it('runs the javascript tool from plain `node bin/assay.js`', async () => {
    await using server = await startScriptedServer({ script: javascriptScript() });
    const { args, trace } = runArgs(server.url, 'javascript', '[1, 2, 3].map((n) => n * 7).join()');
    const result = await runCli(args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('js: Result: "7,14,21"\n');
    const record = JSON.parse((await readFile(trace, 'utf8')).trim()) as {
      tool_calls: { name: string; result: { ok: boolean } }[];
    };
    expect(record.tool_calls.map((call) => [call.name, call.result.ok])).toEqual([
      ['javascript', true],
    ]);
  });

  it('loads the bin once when nothing makes isolates, twice when something may', async () => {
    const help = await binLoads(['--help']);
    expect([help.code, help.loads]).toEqual([0, 1]);
    const runHelp = await binLoads(['run', '--help']);
    expect([runHelp.code, runHelp.loads]).toEqual([0, 1]);

    await using server = await startScriptedServer({ script: javascriptScript() });
    const calculator = await binLoads(runArgs(server.url, 'calculator', '6*7').args);
    expect(calculator.loads).toBe(1);

    const javascript = await binLoads(runArgs(server.url, 'javascript', '6*7').args);
    expect(javascript.stdout).toBe('js: Result: 42\n');
    expect([javascript.code, javascript.loads]).toEqual([0, 2]);

    // Already without the snapshot (NODE_OPTIONS counts): no rerun.
    const flagged = await binLoads(runArgs(server.url, 'javascript', '6*7').args, {
      NODE_OPTIONS: '--no-node-snapshot',
    });
    expect(flagged.stdout).toBe('js: Result: 42\n');
    expect([flagged.code, flagged.loads]).toEqual([0, 1]);

    // eval always reruns (its verifiers may make isolates), and exits as its rerun did.
    const rescore = await binLoads(['eval', 'rescore', join(dir, 'no-such-run')]);
    expect(rescore.loads).toBe(2);
    expect(rescore.code).toBe(2);
    expect(rescore.stderr).toContain('is not an assay eval run');

    // A --tools value that does not parse is reported by the first process.
    const unknown = await binLoads(runArgs(server.url, 'javascript,abacus', '1').args);
    expect(unknown.loads).toBe(1);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown tool "abacus"');
  });

  it('SIGTERM to the first process stops the rerun’s `mcp serve --http` server', async () => {
    const log = join(dir, `modules-${runs++}.log`);
    const { url, child } = await startServeHttp(
      ['--tools', 'javascript', '--trace', join(dir, `serve-${runs++}.jsonl`)],
      { nodeArgs: ['--import', MODULE_LOG_HOOK], env: { ASSAY_MODULE_LOG: log } },
    );
    const exited = new Promise<[number | null, string | null]>((resolve) => {
      child.once('exit', (code, signal) => resolve([code, signal]));
    });
    expect(await probe(url)).not.toBe('ECONNREFUSED');
    const urls = (await readFile(log, 'utf8')).split('\n');
    expect(urls.filter((line) => line.endsWith('/bin/assay.js'))).toHaveLength(2);
    child.kill('SIGTERM');
    // The first process exits only once its child has: nothing listens any more.
    expect(await exited).toEqual([0, null]);
    expect(await probe(url)).toBe('ECONNREFUSED');
  });

  it('a library process without --no-node-snapshot gets ISOLATE_FAILED naming the flag', async () => {
    const code = `
      import { allowListedPolicy, createBuiltinTools, runEpisode } from './dist/src/index.js';
      import { createScriptedModel, sequenceScript } from './dist/src/testing.js';
      const set = createBuiltinTools(['javascript']);
      const record = await runEpisode({
        model: createScriptedModel(sequenceScript([
          { tool_calls: [{ name: 'javascript', arguments: { code: '6 * 7' } }] },
          { content: 'done' },
        ])),
        prompt: 'x',
        tools: set.tools,
        policy: allowListedPolicy(['javascript']),
      });
      await set.close();
      console.log(JSON.stringify({ status: record.outcome.status, error: record.error }));
    `;
    let stdout = '';
    const exit = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
        cwd: ROOT,
        env: { ...process.env, NODE_OPTIONS: '' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      child.stdout.setEncoding('utf8').on('data', (data: string) => {
        stdout += data;
      });
      child.on('error', reject);
      child.on('close', resolve);
    });
    expect(exit).toBe(0);
    // An infrastructure error ends the episode, as when isolated-vm cannot start at all.
    const { status, error } = JSON.parse(stdout) as {
      status: string;
      error: { class: string; code: string; message: string };
    };
    expect(status).toBe('error');
    expect(error.class).toBe('infra');
    expect(error.code).toBe('ISOLATE_FAILED');
    expect(error.message).toContain('isolated-vm needs Node started with --no-node-snapshot');
  });
});
