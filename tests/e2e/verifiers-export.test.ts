import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('the assay/verifiers package export', () => {
  it('resolves from the built package and scores an answer', () => {
    const script = [
      "import { verify, VERIFIER_NAMES } from 'assay/verifiers';",
      "const r = await verify({ verifier: 'math', response: 'The answer is 4 4/9.', answer: '40/9' });",
      'console.log(JSON.stringify({ names: VERIFIER_NAMES, reward: r.reward, extracted: r.extracted }));',
    ].join('\n');
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      names: ['math', 'exact', 'regex', 'choice', 'code_tests', 'js', 'tests'],
      reward: 1,
      extracted: '4 4/9',
    });
  });
});
