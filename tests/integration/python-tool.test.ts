import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineStatus } from '../../sandbox/docker/docker-errors.js';
import { DockerEngine } from '../../sandbox/docker/engine.js';
import { SandboxManager } from '../../sandbox/docker/sandbox-manager.js';
import { EpisodeResourcePool } from '../../src/agent/resources.js';
import { InfraError } from '../../src/core/errors.js';
import { DEFAULT_LIMITS, type ToolLimits } from '../../src/core/limits.js';
import type { ToolContext } from '../../src/core/tool.js';
import { createPythonTool, type PythonTool } from '../../tools/python/index.js';
import { requireDocker } from '../support/docker.js';

const docker = await requireDocker();

function episode(
  id: string,
  limits: Partial<ToolLimits> = {},
): ToolContext & { resources: EpisodeResourcePool } {
  return {
    signal: new AbortController().signal,
    limits: { ...DEFAULT_LIMITS, ...limits },
    resources: new EpisodeResourcePool(),
    episodeId: id,
    step: 1,
  };
}

describe.skipIf(!docker.available)('the python tool', () => {
  let tool: PythonTool;

  beforeAll(() => {
    tool = createPythonTool({ sandbox: { engine: docker.engine, poolSize: 1, preload: [] } });
  });

  afterAll(async () => {
    await tool?.close();
  });

  it('validates its input: code is required and unknown keys are refused', () => {
    expect(tool.inputSchema.safeParse({ code: 'print(1)', timeout_s: 5 }).success).toBe(true);
    expect(tool.inputSchema.safeParse({}).success).toBe(false);
    expect(tool.inputSchema.safeParse({ code: 'x', network: true }).success).toBe(false);
  });

  it('keeps state within an episode, not across episodes, and removes the container at the end', async () => {
    const a = episode('a');
    const b = episode('b');
    await tool.run({ code: 'secret = 6 * 7' }, a);
    const same = await tool.run({ code: 'secret' }, a);
    expect(same).toMatchObject({ ok: true, content: 'value:\n42' });
    expect(same.usage?.sandbox_ms).toBeGreaterThan(0);
    const other = await tool.run({ code: 'secret' }, b);
    expect(other.ok).toBe(false);
    expect(other.error).toEqual({
      code: 'PYTHON_EXCEPTION',
      message: "NameError: name 'secret' is not defined",
    });
    expect(other.content).toMatch(/^error:\nTraceback/);

    const session = await a.resources.acquire(
      'python',
      () => Promise.reject(new Error('unused')),
      async () => {},
    );
    const id = (session as { container?: { id: string } }).container!.id;
    await a.resources.disposeAll();
    await b.resources.disposeAll();
    expect(engineStatus(await docker.engine.inspectContainer(id).catch((e: unknown) => e))).toBe(
      404,
    );
  });

  it('renders stdout, stderr and the value for the model', async () => {
    const ctx = episode('render');
    const result = await tool.run(
      { code: 'import sys\nprint("hello")\nprint("careful", file=sys.stderr)\n2 + 2' },
      ctx,
    );
    expect(result.content).toBe('stdout:\nhello\nstderr:\ncareful\nvalue:\n4');
    expect((await tool.run({ code: 'x = 1' }, ctx)).content).toBe('(no output)');
    await ctx.resources.disposeAll();
  });

  it('returns figures and written files as artifacts, not inline', async () => {
    const ctx = episode('artifacts');
    const result = await tool.run(
      {
        code: 'import matplotlib.pyplot as plt\nplt.bar([1, 2], [3, 4])\nopen("table.csv", "w").write("a\\n1\\n")',
      },
      ctx,
    );
    expect(result.artifacts?.map((a) => [a.name, a.mime_type])).toEqual([
      ['figure-1.png', 'image/png'],
      ['table.csv', 'text/csv'],
    ]);
    expect(Buffer.from(result.artifacts![0]!.data.subarray(1, 4)).toString()).toBe('PNG');
    expect(result.content).toMatch(
      /figure: figure-1\.png \(PNG, \d+ bytes\)\nfile written: table\.csv \(4 bytes\)/,
    );
    expect(result.content).not.toContain('iVBOR');
    await ctx.resources.disposeAll();
  });

  it('clamps the requested timeout to the policy limit and says the state survived', async () => {
    const ctx = episode('timeout', { timeout_ms: 1_000 });
    const result = await tool.run({ code: 'import time\ntime.sleep(30)', timeout_s: 30 }, ctx);
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('SANDBOX_TIMEOUT');
    expect(result.data).toMatchObject({ status: 'timeout', timeout_ms: 1_000 });
    expect(result.content).toContain(
      'interrupted after 1 s; variables defined before the interrupt are kept',
    );
    await ctx.resources.disposeAll();
  });

  it('tells the model plainly when a timeout cost it the session state', async () => {
    const ctx = episode('lost', { timeout_ms: 1_000 });
    await tool.run({ code: 'kept = 1' }, ctx);
    const killed = await tool.run(
      {
        code: 'import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass',
      },
      ctx,
    );
    expect(killed.content).toContain('State was lost: the session was restarted after a timeout');
    const next = await tool.run({ code: '"kept" in globals()' }, ctx);
    expect(next.content).toMatch(
      /^note: state was lost: the session was restarted because a call ran past its 1 s timeout/,
    );
    expect(next.content).toContain('value:\nFalse');
    await ctx.resources.disposeAll();
  });

  it('caps output at the policy output_bytes', async () => {
    const ctx = episode('cap', { output_bytes: 1_000 });
    const result = await tool.run({ code: 'print("z" * 50_000)' }, ctx);
    // Fits output_bytes with the runner's marker, which counts every byte left out.
    expect(Buffer.byteLength(result.content)).toBeLessThanOrEqual(1_000);
    const [, head, dropped, tail] =
      /^stdout:\n(z*)\n\[\.\.\. (\d+) of 50001 bytes of stdout omitted \.\.\.\]\n(z*)$/.exec(
        result.content,
      ) ?? [];
    // The printed newline is the stream's last byte; the rendered text ends without it.
    expect(Number(dropped)).toBe(50_001 - (head ?? '').length - (tail ?? '').length - 1);
    await ctx.resources.disposeAll();
  });

  it('throws SANDBOX_IMAGE_MISSING, naming the command to run, when the image is absent', async () => {
    const missing = createPythonTool({
      sandbox: { engine: docker.engine, poolSize: 0 },
      image: 'assay-test/absent:1',
    });
    try {
      const error = await missing.run({ code: '1' }, episode('missing')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InfraError);
      expect(error).toMatchObject({ code: 'SANDBOX_IMAGE_MISSING' });
      expect((error as Error).message).toContain('assay-test/absent:1');
    } finally {
      await missing.close();
    }
  });
});

describe('the python tool without an engine', () => {
  it('throws DOCKER_UNAVAILABLE when no engine answers', async () => {
    const engine = new DockerEngine({ host: 'unix:///nonexistent/docker.sock' });
    const offline = createPythonTool({ manager: new SandboxManager({ engine, poolSize: 0 }) });
    const error = await offline.run({ code: '1' }, episode('offline')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DOCKER_UNAVAILABLE' });
    expect((error as Error).message).toContain('/nonexistent/docker.sock');
    await offline.manager.close();
  });
});
