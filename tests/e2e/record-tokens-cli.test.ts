import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeByteIds } from '../../src/testing/byte-tokens.js';
import { runCli } from '../support/cli.js';
import { calculatorScript, startScriptedServer } from '../support/scripted-server.js';

const SUITE = join(import.meta.dirname, '..', 'fixtures', 'suites', 'arith-small.jsonl');

describe('assay eval --record-tokens, then traces export --format tokens', () => {
  it.each(['vllm', 'sglang'] as const)(
    'writes one tokens row per scored sample whose ids decode back to its conversation (%s)',
    async (wire) => {
      await using server = await startScriptedServer({ script: calculatorScript(), wire });
      const dir = await mkdtemp(join(tmpdir(), 'assay-tokens-'));
      const out = join(dir, 'run');
      const result = await runCli(
        [
          'eval',
          SUITE,
          '--base-url',
          server.url,
          '--model',
          'm',
          '--tools',
          'calculator',
          '--arms',
          'tools',
          '--record-tokens',
          '--out',
          out,
        ],
        { timeoutMs: 120_000 },
      );
      expect(result.code, result.stderr).toBe(0);
      // vLLM streams the ids; SGLang refuses prompt ids on a stream, so its turns go whole.
      const chats = server.requests.filter((r) => r.messages.length > 0);
      expect(chats.length).toBeGreaterThan(0);
      expect(chats.every((r) => r.stream === (wire === 'vllm'))).toBe(true);
      const file = join(dir, 'tokens.jsonl');
      const exported = await runCli([
        'traces',
        'export',
        join(out, 'traces.jsonl'),
        '--format',
        'tokens',
        '--out',
        file,
      ]);
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stderr).toContain('exported 6 of 6 records');
      const rows = (await readFile(file, 'utf8'))
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(rows).toHaveLength(6);
      for (const row of rows) {
        const ids = [...(row['prompt_ids'] as number[]), ...(row['completion_ids'] as number[])];
        const text = decodeByteIds(ids);
        expect(text.startsWith('<|im_start|>user\n')).toBe(true);
        expect(text).toContain('<tool_call>{"name": "calculator"');
        expect((row['completion_mask'] as number[]).length).toBe(
          (row['completion_ids'] as number[]).length,
        );
        expect(typeof row['reward']).toBe('number');
        expect(typeof row['group_id']).toBe('string');
      }
    },
  );
});
