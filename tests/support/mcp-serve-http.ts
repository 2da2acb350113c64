import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'assay.js');

export interface ServeHttp {
  /** The Streamable HTTP endpoint, as the server printed it. */
  url: string;
  child: ChildProcess;
}

/**
 * Starts `assay mcp serve ARGS --http 0` the way its shebang does and resolves once the server
 * prints the address it listens on (port 0: the system picks a free one). Rejects with the
 * server's stderr when it exits first.
 */
export function startServeHttp(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ServeHttp> {
  const child = spawn(process.execPath, [BIN, 'mcp', 'serve', ...args, '--http', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  return new Promise((resolvePromise, reject) => {
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
      const url = /at (http:\/\/\S+\/mcp);/.exec(err)?.[1];
      if (url) resolvePromise({ url, child });
    });
    child.once('exit', (code) => reject(new Error(`mcp serve exited with ${code}: ${err}`)));
  });
}
