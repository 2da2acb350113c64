import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DockerEngine } from '../../sandbox/docker/engine.js';
import { formatDoctor, runDoctor } from '../../src/cli/doctor-action.js';
import { registerDoctorCommand } from '../../src/cli/doctor-command.js';
import { requireDocker } from '../support/docker.js';

const docker = await requireDocker();
let server: Server;
let baseUrl: string;
let closedUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(req.url === '/v1/models' ? '{"object":"list","data":[{"id":"m"}]}' : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/v1`;
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** Runs `assay doctor ARGS` through commander and returns what it printed and its exit code. */
async function doctorCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ out: string; code: number }> {
  const program = new Command().exitOverride();
  let code = 0;
  registerDoctorCommand(program, (c) => {
    code = c;
  });
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    await program.parseAsync(['doctor', ...args], { from: 'user' });
  } finally {
    write.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return { out, code };
}

describe('assay doctor without an engine', () => {
  const offline = new DockerEngine({
    host: 'unix:///nonexistent/docker.sock',
    callTimeoutMs: 1_000,
  });

  it('reports the engine and image as MISSING with the commands that fix them', async () => {
    const checks = await runDoctor({ baseUrl, engine: offline });
    const text = formatDoctor(checks);
    expect(text).toMatch(
      /^MISSING {2}docker engine +cannot reach the Docker engine at unix:\/\/\/nonexistent\/docker\.sock/m,
    );
    expect(text).toMatch(/fix: start one with `sudo dockerd --bridge=none --iptables=false &`/);
    expect(text).toMatch(/^MISSING {2}sandbox image .*cannot check without an engine/m);
    expect(text).toMatch(
      new RegExp(`^OK {7}model server +${baseUrl.replaceAll('.', '\\.')}/models answered`, 'm'),
    );
  });

  it('exits with 3 when a required part is missing', async () => {
    const result = await doctorCli(['--base-url', baseUrl], {
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    });
    expect(result.code).toBe(3);
    expect(result.out).toContain('MISSING  docker engine');
  });

  it('reports an unreachable model server with its URL, from ASSAY_BASE_URL when no flag is given', async () => {
    const result = await doctorCli([], {
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
      ASSAY_BASE_URL: closedUrl,
    });
    expect(result.out).toMatch(
      new RegExp(
        `MISSING {2}model server +${closedUrl.replaceAll('.', '\\.')}/models is unreachable \\(ECONNREFUSED\\)`,
      ),
    );
    expect(result.out).toContain('fix: start your model server');
  });
});

describe.skipIf(!docker.available)('assay doctor with an engine', () => {
  it('exits with 0 when the engine, the image and the model server are there', async () => {
    const result = await doctorCli(['--base-url', baseUrl]);
    expect(result.out).toMatch(new RegExp(`^OK {7}sandbox image +${docker.image}$`, 'm'));
    expect(result.out).toMatch(/^OK {7}docker engine/m);
    expect(result.out).toMatch(/gVisor \(runsc\)/);
    expect(result.code).toBe(0);
  });

  it('names a missing --image and how to provide it', async () => {
    const result = await doctorCli(['--base-url', baseUrl, '--image', 'assay-test/not-there:1']);
    expect(result.code).toBe(3);
    expect(result.out).toMatch(
      /MISSING {2}sandbox image +assay-test\/not-there:1 is not in the engine/,
    );
    expect(result.out).toContain(
      'fix: build or load assay-test/not-there:1 locally (no registry is used)',
    );
  });
});
