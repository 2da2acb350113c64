import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, '..', 'support', 'hostile-javascript.ts');
const LOOP = '{ get() { for (;;) {} } }';

interface ChildResult {
  code: number | null;
  wallMs: number;
  lines: Record<string, unknown>[];
}

/** Runs the attacks in a child process and kills it if it has not exited after `limitMs`. */
async function runChild(attacks: object[], limitMs = 20_000): Promise<ChildResult> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--no-node-snapshot', '--import', 'tsx', SCRIPT, JSON.stringify(attacks), '500'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  const lines = stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, wallMs: performance.now() - started, lines };
}

describe('hostile values thrown by JavaScript code', { timeout: 60_000 }, () => {
  it('answers every thrown or rejected Proxy, then the process exits with no thread left spinning', async () => {
    const attacks = [
      { code: `throw new Proxy({}, ${LOOP})` },
      { code: `throw new Proxy(new Error('x'), ${LOOP})` },
      { code: `Promise.reject(new Proxy({}, ${LOOP}))` },
      { code: `(async () => { throw new Proxy(new TypeError('t'), ${LOOP}) })()` },
      { code: `const e = new Error('m'); Object.defineProperty(e, 'message', ${LOOP}); throw e` },
      { code: 'throw Object.assign(new Error(), { message: { toString() { for (;;) {} } } })' },
      { code: `throw new Proxy({}, { getPrototypeOf() { for (;;) {} } })` },
    ];
    const result = await runChild(attacks);
    expect(result.code).toBe(0);
    const answers = result.lines.slice(0, attacks.length);
    expect(answers).toHaveLength(attacks.length);
    for (const answer of answers) {
      expect(['TIMEOUT', 'RUNTIME_ERROR', 'CPU_LIMIT']).toContain(
        (answer['error'] as { code: string }).code,
      );
    }
    // A thread left in a Proxy trap would burn a whole core: about 1000 ms in that second.
    expect(result.lines.at(-1)?.['idleCpuMs']).toBeLessThan(300);
  });

  it('contains a Proxy thrown by a js verifier function the same way', async () => {
    const result = await runChild([
      { verifier: `(a) => { throw new Proxy({}, ${LOOP}) }` },
      { verifier: `(a) => { throw new Proxy(new Error('x'), ${LOOP}) }` },
      {
        verifier: `(a) => { const e = new Error('m'); Object.defineProperty(e, 'stack', ${LOOP}); throw e }`,
      },
    ]);
    expect(result.code).toBe(0);
    for (const line of result.lines.slice(0, 3)) {
      expect(line['error']).toMatch(/^task hostile: the verifier function failed/);
    }
    expect(result.lines.at(-1)?.['idleCpuMs']).toBeLessThan(300);
  });
});
