import { mkdtempSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DockerEngine, splitImageName } from '../../sandbox/docker/engine.js';
import { InfraError } from '../../src/core/errors.js';

const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A unix socket that accepts connections and never answers, like a wedged engine. */
async function stuckEngine(): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'assay-engine-')), 'docker.sock');
  const server = createServer((socket) => {
    sockets.push(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return path;
}

describe('DockerEngine', () => {
  it('gives up on an engine that accepts the connection but never answers', async () => {
    const engine = new DockerEngine({ host: `unix://${await stuckEngine()}`, callTimeoutMs: 200 });
    const error = await engine.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfraError);
    expect(error).toMatchObject({ code: 'DOCKER_UNAVAILABLE', retryable: true });
    expect((error as Error).message).toMatch(/did not answer ping within 200 ms/);
  });

  it('says the engine is unreachable, naming the socket and how to start one', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'assay-engine-')), 'missing.sock');
    const engine = new DockerEngine({ host: `unix://${path}` });
    const error = await engine.info().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DOCKER_UNAVAILABLE' });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain('dockerd');
  });

  it('runs no more engine calls at once than its concurrency allows', async () => {
    const engine = new DockerEngine({ host: 'unix:///nonexistent', concurrency: 2 });
    let running = 0;
    let peak = 0;
    const task = () =>
      engine.call('test', async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
      });
    await Promise.all([task(), task(), task(), task(), task()]);
    expect(peak).toBe(2);
  });

  it('splits image names into repository and tag, keeping registry ports', () => {
    expect(splitImageName('assay/python:abc')).toEqual(['assay/python', 'abc']);
    expect(splitImageName('localhost:5000/img')).toEqual(['localhost:5000/img', 'latest']);
    expect(splitImageName('debian')).toEqual(['debian', 'latest']);
  });
});
