import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolThenAnswerScript } from '../../src/testing/scripts.js';
import { runCli } from '../support/cli.js';
import { startScriptedServer } from '../support/scripted-server.js';

describe('assay run with hostile JavaScript', () => {
  it('prints its answer and exits after the code throws a Proxy whose traps never return', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'assay-hostile-js-'));
    const script = toolThenAnswerScript({
      tool: 'javascript',
      args: (prompt) => ({ code: prompt, timeout_s: 1 }),
      answer: (result) => (result.includes('Error (') ? 'contained' : `not contained: ${result}`),
    });
    await using server = await startScriptedServer({ script });
    const started = performance.now();
    const result = await runCli(
      [
        'run',
        '--base-url',
        server.url,
        '--model',
        'm',
        '--tools',
        'javascript',
        '--trace',
        join(dir, 'trace.jsonl'),
        "throw new Proxy(new Error('x'), { get() { for (;;) {} } })",
      ],
      { timeoutMs: 60_000 },
    );
    // Before the fix the answer was printed, but a V8 thread spun on and the process never ended.
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('contained\n');
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});
