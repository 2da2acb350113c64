import { mkdtemp, readFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { runCli } from '../support/cli.js';
import { requireDocker } from '../support/docker.js';
import { startScriptedServer, toolThenAnswerScript } from '../support/scripted-server.js';

const docker = await requireDocker();

/**
 * A second engine endpoint on 127.0.0.1 TCP: it forwards to the local engine's socket and
 * counts the connections, so the test sees that the sandbox traffic went over TCP.
 */
async function tcpEndpoint(socketPath: string) {
  let connections = 0;
  const server = createServer((client) => {
    connections++;
    const engine = connect(socketPath);
    client.pipe(engine).pipe(client);
    client.on('error', () => engine.destroy());
    engine.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    url: `tcp://127.0.0.1:${address.port}`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.skipIf(!docker.available)('python on a remote Docker engine', { timeout: 180_000 }, () => {
  it('runs the sandbox through --docker-host tcp:// and nowhere else', async () => {
    const socket = docker.engine.endpoint.replace(/^unix:\/\//, '');
    const remote = await tcpEndpoint(socket);
    await using server = await startScriptedServer({
      script: toolThenAnswerScript({
        tool: 'python',
        args: () => ({ code: 'sum(range(101))' }),
        answer: (result) => result.split('\n').at(-1) ?? '',
      }),
    });
    const trace = join(await mkdtemp(join(tmpdir(), 'assay-docker-host-')), 'trace.jsonl');
    try {
      const result = await runCli(
        [
          ...['run', '--base-url', server.url, '--model', 'm', '--tools', 'python'],
          ...['--docker-host', remote.url, '--trace', trace, 'What is 0 + 1 + … + 100?'],
        ],
        // An unusable DOCKER_HOST in the environment: only the flag can make this work.
        { timeoutMs: 120_000, env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } },
      );
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('5050\n');
      expect(result.code).toBe(0);
      const record = traceRecordSchema.parse(JSON.parse((await readFile(trace, 'utf8')).trim()));
      expect(record.tool_calls[0]).toMatchObject({ name: 'python', result: { ok: true } });
      expect(remote.connections()).toBeGreaterThan(0);
    } finally {
      await remote.close();
    }
  });
});
