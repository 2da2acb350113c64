import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DockerEngine } from '../../sandbox/docker/engine.js';
import { checkPythonSandbox, type PythonSandboxStatus } from '../../src/cli/python-availability.js';
import {
  addToolOptions,
  toolsFromOptions,
  toolsGiven,
  usableTools,
} from '../../src/cli/tool-options.js';
import { InfraError } from '../../src/core/errors.js';
import { DEFAULT_TOOLS } from '../../tools/index.js';
import { requireDocker } from '../support/docker.js';

const docker = await requireDocker();
const MISSING_SOCKET = 'unix:///tmp/assay-no-such-engine.sock';

let dir: string;
let silent: Server;
const held: Socket[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'assay-python-check-'));
  // Accepts connections and never answers: an engine that hangs.
  silent = createServer((socket) => {
    held.push(socket);
  });
  await new Promise<void>((resolve) => silent.listen(join(dir, 'silent.sock'), resolve));
});

afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const noEngine: PythonSandboxStatus = {
  usable: false,
  code: 'DOCKER_UNAVAILABLE',
  endpoint: MISSING_SOCKET,
  image: 'assay/python:test',
  problem: `no Docker engine answers at ${MISSING_SOCKET} (ENOENT)`,
  fix: 'start Docker or set DOCKER_HOST, then run `assay sandbox build`',
};

describe('checkPythonSandbox', () => {
  it('names the engine address and the fix when the socket does not exist', async () => {
    const status = await checkPythonSandbox({ engine: new DockerEngine({ host: MISSING_SOCKET }) });
    expect(status).toMatchObject({
      usable: false,
      code: 'DOCKER_UNAVAILABLE',
      problem: `no Docker engine answers at ${MISSING_SOCKET} (ENOENT)`,
    });
    expect(!status.usable && status.fix).toContain('assay sandbox build');
  });

  it('gives up on an engine that never answers once the short deadline passes', async () => {
    const endpoint = `unix://${join(dir, 'silent.sock')}`;
    const started = performance.now();
    const status = await checkPythonSandbox({
      engine: new DockerEngine({ host: endpoint }),
      timeoutMs: 300,
    });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(status).toMatchObject({
      usable: false,
      code: 'DOCKER_UNAVAILABLE',
      problem: `no Docker engine answers at ${endpoint} within 300 ms`,
    });
  });

  describe.skipIf(!docker.available)('with a Docker engine', () => {
    it('finds the default image that `assay sandbox build` made', async () => {
      const status = await checkPythonSandbox({ engine: docker.engine });
      expect(status).toEqual({
        usable: true,
        endpoint: docker.engine.endpoint,
        image: docker.image,
      });
    });

    it('names a missing --image and says to build or load it locally', async () => {
      const status = await checkPythonSandbox({
        engine: docker.engine,
        image: 'assay/does-not-exist:1',
      });
      expect(status).toMatchObject({
        usable: false,
        code: 'SANDBOX_IMAGE_MISSING',
        image: 'assay/does-not-exist:1',
        problem: `image assay/does-not-exist:1 not found in the Docker engine at ${docker.engine.endpoint}`,
        fix: 'build or load assay/does-not-exist:1 locally (no registry is used)',
      });
    });
  });
});

describe('usableTools', () => {
  it('leaves python out with one warning when the default tool list is in use', async () => {
    const warnings: string[] = [];
    const choice = await usableTools(await toolsFromOptions({ tools: DEFAULT_TOOLS }), {
      requiredBy: undefined,
      onWarning: (m) => warnings.push(m),
      checkPython: async () => noEngine,
    });
    expect(choice.names).toEqual(['calculator', 'javascript', 'web_search', 'web_fetch']);
    expect(warnings).toEqual([
      `python tool left out: no Docker engine answers at ${MISSING_SOCKET} (ENOENT); start Docker or set DOCKER_HOST, then run \`assay sandbox build\``,
    ]);
    const toolSet = choice.create();
    try {
      expect(Object.keys(toolSet.tools)).toEqual(choice.names);
    } finally {
      await toolSet.close();
    }
  });

  it('fails with an infrastructure error naming the address when --tools asked for python', async () => {
    const error = await usableTools(await toolsFromOptions({ tools: 'calculator,python' }), {
      requiredBy: '--tools',
      onWarning: () => {},
      checkPython: async () => noEngine,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfraError);
    expect(error).toMatchObject({ code: 'DOCKER_UNAVAILABLE', exitCode: 3 });
    expect((error as Error).message).toBe(
      `--tools names python, but no Docker engine answers at ${MISSING_SOCKET} (ENOENT); start Docker or set DOCKER_HOST, then run \`assay sandbox build\`, or leave python out of --tools`,
    );
  });

  it('does not ask the engine when python is not in the tool list', async () => {
    const checkPython = vi.fn(async () => noEngine);
    const choice = await usableTools(await toolsFromOptions({ tools: 'calculator,web_fetch' }), {
      requiredBy: '--tools',
      onWarning: () => {},
      checkPython,
    });
    expect(checkPython).not.toHaveBeenCalled();
    expect(choice.names).toEqual(['calculator', 'web_fetch']);
  });

  it('hands --image to the sandbox check and keeps python when the sandbox is usable', async () => {
    const checkPython = vi.fn(async (image: string | undefined) => ({
      usable: true as const,
      endpoint: 'unix:///var/run/docker.sock',
      image: image ?? 'default',
    }));
    const warnings: string[] = [];
    const choice = await usableTools(
      await toolsFromOptions({ tools: DEFAULT_TOOLS, image: 'my/python:3' }),
      { requiredBy: undefined, onWarning: (m) => warnings.push(m), checkPython },
    );
    expect(checkPython).toHaveBeenCalledWith('my/python:3');
    expect(choice.names).toContain('python');
    expect(warnings).toEqual([]);
  });
});

describe('toolsGiven', () => {
  const parsed = (args: string[]) =>
    addToolOptions(new Command().exitOverride()).parse(args, { from: 'user' });

  it('is false when --tools is left at its default', () => {
    expect(toolsGiven(parsed([]))).toBe(false);
  });

  it('is true when --tools is typed, even with the default value', () => {
    expect(toolsGiven(parsed(['--tools', DEFAULT_TOOLS]))).toBe(true);
  });
});
