import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'assay.js');

export interface ServeHttp {
  /** `http://HOST:PORT/mcp`, as the server printed it. */
  url: string;
  child: ChildProcess;
}

/**
 * Starts `node bin/assay.js mcp serve ARGS --http 0` as the bin's shebang does (plain `node`,
 * with `nodeArgs` before the bin) and resolves once the server prints the URL it listens at:
 * port 0 lets the system pick a free port. Rejects with the server's stderr if it exits first.
 */
export function startServeHttp(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; nodeArgs?: readonly string[] } = {},
): Promise<ServeHttp> {
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), BIN, 'mcp', 'serve', ...args, '--http', '0'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...options.env } },
  );
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
      const url = /at (http:\/\/\S+\/mcp);/.exec(err)?.[1];
      if (url) resolve({ url, child });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`mcp serve exited with ${code}: ${err}`)));
  });
}
