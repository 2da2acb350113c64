import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServeSession } from '../../src/cli/mcp-serve-session.js';
import { ServeTrace } from '../../src/cli/mcp-serve-trace.js';
import { parsePolicy } from '../../src/policy/load.js';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { createCalculatorTool } from '../../tools/calculator/index.js';
import { toolHints } from '../../tools/index.js';

const policy = parsePolicy(
  'version: 1\ndefault: deny\nrules:\n  - { id: calc, tool: calculator, effect: allow }\n',
  'calc.yaml',
);

const ctx = () => ({
  signal: new AbortController().signal,
  confirm: null,
  clientName: 'crashy',
  progress: null,
});

async function lines(path: string) {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => traceRecordSchema.parse(JSON.parse(l)));
}

describe('the trace of assay mcp serve', () => {
  it('keeps the finished calls of a session that never closed and appends them on the next start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'assay-serve-trace-'));
    const path = join(dir, 'trace.jsonl');
    const warnings: string[] = [];
    const first = await ServeTrace.open(path, (m) => warnings.push(m));
    const session = new ServeSession({
      tools: { calculator: createCalculatorTool() },
      hints: toolHints,
      policy,
      onCall: (record) => first.progress(record),
    });
    await session.callTool('calculator', { expression: '1+1' }, ctx());
    await session.callTool('calculator', { expression: '2+2' }, ctx());
    // The server "crashes": the session is never finished and the writer never closed. Each
    // call's line is written on the turn after its response, before this one.
    await new Promise((r) => setImmediate(r));
    expect(await readFile(path, 'utf8')).toBe('');
    expect(await readdir(`${path}.partial`)).toEqual([`${session.traceId}.jsonl`]);

    // The crash cut the last line short: it is dropped, the finished calls are kept.
    await appendFile(join(`${path}.partial`, `${session.traceId}.jsonl`), '{"call":{"id":"mcp_3"');
    const second = await ServeTrace.open(path, (m) => warnings.push(m));
    await second.close();
    const [record] = await lines(path);
    expect(record?.trace_id).toBe(session.traceId);
    expect(record?.outcome).toEqual({ status: 'aborted', stop_reason: 'server_stopped' });
    expect(record?.tool_calls.map((c) => c.result.content)).toEqual(['2', '4']);
    expect(warnings).toEqual([
      `recovered 2 call(s) of an interrupted MCP session (${session.traceId})`,
    ]);
    expect(existsSync(join(`${path}.partial`, `${session.traceId}.jsonl`))).toBe(false);
    await first.close();
  });

  it('writes a closed session once, completed, and leaves no partial file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'assay-serve-trace-'));
    const path = join(dir, 'trace.jsonl');
    const trace = await ServeTrace.open(path, () => {});
    const session = new ServeSession({
      tools: { calculator: createCalculatorTool() },
      hints: toolHints,
      policy,
      onCall: (record) => trace.progress(record),
    });
    const result = await session.callTool('calculator', { expression: '3*3' }, ctx());
    expect(result).toEqual({ content: [{ type: 'text', text: '9' }] });
    await session.close();
    await trace.finish(session.record('completed'));
    await trace.close();
    const records = await lines(path);
    expect(records).toHaveLength(1);
    expect(records[0]?.outcome.status).toBe('completed');
    expect(await readdir(`${path}.partial`)).toEqual([]);
  });
});
