import { mkdtemp, readFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { runCli } from '../support/cli.js';
import { requireDocker } from '../support/docker.js';
import { scriptTlsEngine, startTlsEngineEndpoint } from '../support/docker-tls.js';
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
  it('runs the sandbox through DOCKER_HOST tcp:// with DOCKER_TLS_VERIFY and client certificates', async () => {
    const socket = docker.engine.endpoint.replace(/^unix:\/\//, '');
    // The second dockerd of scripts/ensure-docker-tls.sh when it runs (always under CI);
    // else a TLS endpoint in this process in front of the main engine.
    const remote = (await scriptTlsEngine()) ?? (await startTlsEngineEndpoint(socket));
    await using server = await startScriptedServer({
      script: toolThenAnswerScript({
        tool: 'python',
        args: () => ({ code: 'sum(range(11))' }),
        answer: (result) => result.split('\n').at(-1) ?? '',
      }),
    });
    const trace = join(await mkdtemp(join(tmpdir(), 'assay-docker-tls-')), 'trace.jsonl');
    const tlsEnv = (certPath: string) => ({
      DOCKER_HOST: remote.url,
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: certPath,
    });
    try {
      const result = await runCli(
        [
          ...['run', '--base-url', server.url, '--model', 'm', '--tools', 'python'],
          ...['--trace', trace, 'What is 0 + 1 + … + 10?'],
        ],
        { timeoutMs: 120_000, env: tlsEnv(remote.certPath) },
      );
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('55\n');
      expect(result.code).toBe(0);
      if (remote.authorized) expect(remote.authorized()).toBeGreaterThan(0);

      // A client certificate from another CA gets no engine: python is reported unavailable.
      const before = remote.authorized?.();
      const stranger = await runCli(
        [
          ...['run', '--base-url', server.url, '--model', 'm', '--tools', 'python'],
          'What is 0 + 1 + … + 10?',
        ],
        { timeoutMs: 120_000, env: tlsEnv(remote.strangerCertPath) },
      );
      expect(stranger.stdout).not.toBe('55\n');
      expect(stranger.stderr).toMatch(/docker|engine|python/i);
      if (remote.authorized) expect(remote.authorized()).toBe(before);
    } finally {
      await remote.close();
    }
  });
});
