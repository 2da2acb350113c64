import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.ts'));

describe('examples', () => {
  it('has runnable examples', () => {
    expect(examples.length).toBeGreaterThan(0);
  });
  for (const file of examples) {
    it(`${file} runs and its own checks pass`, () => {
      const result = spawnSync(process.execPath, ['--import', 'tsx', join('examples', file)], {
        cwd: root,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(result.stderr).not.toMatch(/AssertionError/);
      expect(result.status, result.stderr).toBe(0);
    });
  }
});
