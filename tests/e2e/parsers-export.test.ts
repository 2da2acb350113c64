import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('the assay/parsers package export', () => {
  it('resolves to the built parser and reads a call', () => {
    const script = `
      import { parseToolCalls, TOOL_FORMATS } from 'assay/parsers';
      const result = parseToolCalls('[TOOL_CALLS]add[ARGS]{"a": 1}', { tools: ['add'] });
      console.log(JSON.stringify({ calls: result.calls, formats: TOOL_FORMATS.length }));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      calls: [{ name: 'add', arguments: { a: 1 } }],
      formats: 8,
    });
  });
});
