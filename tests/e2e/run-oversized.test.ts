import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRACE_LINE_MAX_BYTES } from '../../src/trace/caps.js';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { runCli } from '../support/cli.js';
import { startScriptedServer } from '../support/scripted-server.js';

const MB = 1 << 20;

// The answer is kept near the field cap: the OpenAI client's stream parsing is slow on long
// answers (2 MB took about 50 s here), which is the provider's concern, not the trace's.
describe('assay run with a model that answers over a megabyte', () => {
  it('prints and writes the capped record, each line under the documented size', async () => {
    const answer = `Z${'z'.repeat(MB + 100_000)}`;
    await using server = await startScriptedServer({ script: () => ({ content: answer }) });
    const trace = join(await mkdtemp(join(tmpdir(), 'assay-run-oversized-')), 'run.jsonl');
    const result = await runCli([
      'run',
      '--json',
      '--tools',
      'none',
      '--base-url',
      server.url,
      '--model',
      'm',
      '--trace',
      trace,
      'Say a lot.',
    ]);
    expect(result.code).toBe(0);
    expect(Buffer.byteLength(result.stdout)).toBeLessThanOrEqual(TRACE_LINE_MAX_BYTES);
    const printed = traceRecordSchema.parse(JSON.parse(result.stdout));
    expect(printed.final_answer).toMatch(
      /^Zz+\n\[… assay trace cap: \d+ of 1148577 characters omitted; full text in run\.artifacts\/[0-9a-f]{64}\.txt …\]$/,
    );
    expect(await readFile(trace, 'utf8')).toBe(result.stdout);
    const artifact = printed.final_answer!.match(/run\.artifacts\/[0-9a-f]{64}\.txt/)![0];
    expect(await readFile(join(trace, '..', artifact), 'utf8')).toBe(answer);
  });
});
