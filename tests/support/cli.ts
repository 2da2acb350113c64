import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface CliResult {
  code: number | null;
  /** The process id the command ran as (the `assay.pid` label of the containers it made). */
  pid: number | undefined;
  stdout: string;
  stderr: string;
}

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'assay.js');

/**
 * Runs the built `assay` command (bin/assay.js → dist/) as its shebang does, plain `node` with
 * the start-up snapshot, and collects its output: commands that make isolates run again.
 */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, ASSAY_MODEL: '', ASSAY_BASE_URL: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, pid: child.pid, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
