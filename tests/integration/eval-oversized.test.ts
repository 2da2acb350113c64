import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEval } from '../../src/eval/run/runner.js';
import { loadSuite } from '../../src/eval/suite.js';
import { allowListedPolicy } from '../../src/policy/builtin.js';
import { createScriptedModel, type ScriptReply, type ScriptRequest } from '../../src/testing.js';
import { TRACE_LINE_MAX_BYTES } from '../../src/trace/caps.js';
import { readTraces } from '../../src/trace/reader.js';
import { createBuiltinTools } from '../../tools/index.js';

const MB = 1 << 20;

/**
 * A hostile model: on the task that says "huge" it sends 50 MB of tool arguments, then a 50 MB
 * answer; on every other task it answers 4.
 */
function hostileScript(request: ScriptRequest): ScriptReply {
  const first = request.messages.find((m) => m.role === 'user');
  const last = request.messages.at(-1);
  if (typeof first?.content !== 'string' || !first.content.includes('huge'))
    return { content: '4' };
  if (last?.role === 'user') {
    return {
      tool_calls: [{ name: 'calculator', arguments: { expression: `${'1+'.repeat(25 * MB)}1` } }],
    };
  }
  return { content: `4${' and so on'.repeat(5 * MB)}` };
}

async function suite(dir: string) {
  const path = join(dir, 'suite.jsonl');
  const tasks = [
    { id: 'plain-1', prompt: 'What is 2+2?', answer: '4' },
    { id: 'huge', prompt: 'What is 2+2? Be huge.', answer: '4' },
    { id: 'plain-2', prompt: 'What is 3+1?', answer: '4' },
  ];
  await writeFile(path, `${tasks.map((t) => JSON.stringify(t)).join('\n')}\n`);
  return loadSuite(path);
}

function options(
  dir: string,
  loaded: Awaited<ReturnType<typeof suite>>,
  resume: boolean,
  hostile = true,
) {
  return {
    suite: loaded,
    arms: [{ name: 'tools', tools: ['calculator'] }],
    samples: 1,
    concurrency: 2,
    seed: 0,
    model: createScriptedModel(hostile ? hostileScript : () => ({ content: '4' })),
    sampling: {},
    policy: allowListedPolicy(['calculator']),
    createTools: (names: readonly string[]) => createBuiltinTools(names as ['calculator']),
    outDir: join(dir, 'out'),
    resume,
  };
}

describe('an eval with one oversized episode', { timeout: 180_000 }, () => {
  it('writes results.json, keeps every trace line under the cap, and resumes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'assay-eval-oversized-'));
    const loaded = await suite(dir);
    const summary = await runEval(options(dir, loaded, false));
    expect(summary.results.arms['tools']?.n).toBe(3);

    const results = JSON.parse(await readFile(join(dir, 'out', 'results.json'), 'utf8'));
    expect(results.arms.tools.n).toBe(3);
    const text = await readFile(join(dir, 'out', 'traces.jsonl'), 'utf8');
    const lines = text.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(3);
    const largest = Math.max(...lines.map((l) => Buffer.byteLength(l) + 1));
    expect(largest).toBeLessThanOrEqual(TRACE_LINE_MAX_BYTES);
    const huge = (await readTraces(join(dir, 'out', 'traces.jsonl'))).find(
      (r) => r.task_id === 'huge',
    );
    expect(huge?.final_answer).toMatch(/characters omitted; full text in traces\.artifacts\//);
    expect(huge?.reward).not.toBeNull();

    const again = await runEval(options(dir, loaded, true));
    expect(again.resumed).toBe(3);
    expect(again.episodes).toBe(0);
    expect(again.results.arms['tools']?.n).toBe(3);
  });

  it('resumes past a line too long to read, as an older assay wrote, by running it again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'assay-eval-oversized-'));
    const loaded = await suite(dir);
    await runEval(options(dir, loaded, false, false));
    const tracesPath = join(dir, 'out', 'traces.jsonl');
    const lines = (await readFile(tracesPath, 'utf8')).split('\n').filter((l) => l !== '');
    const index = lines.findIndex((l) => l.includes('"task_id":"huge"'));
    // The uncapped record of before: the 50 MB answer in full, twice.
    const record = JSON.parse(lines[index]!);
    const answer = `4${' and so on'.repeat(5 * MB)}`;
    record.final_answer = answer;
    record.messages.at(-1).content = answer;
    lines[index] = JSON.stringify(record);
    expect(lines[index]!.length).toBeGreaterThan(64 * MB);
    await writeFile(tracesPath, `${lines.join('\n')}\n`);

    const warnings: string[] = [];
    const resumed = await runEval({
      ...options(dir, loaded, true, false),
      onWarning: (m: string) => warnings.push(m),
    });
    expect(warnings[0]).toMatch(
      new RegExp(
        `traces\\.jsonl:${index + 1}: line of \\d+ bytes is longer than the 67108864 bytes`,
      ),
    );
    expect(resumed.resumed).toBe(2);
    expect(resumed.episodes).toBe(1);
    expect(resumed.results.arms['tools']?.n).toBe(3);
    const results = JSON.parse(await readFile(join(dir, 'out', 'results.json'), 'utf8'));
    expect(results.arms.tools.n).toBe(3);
  });
});
