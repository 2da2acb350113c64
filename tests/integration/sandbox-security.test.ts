import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sandboxEnv } from '../../sandbox/docker/hardening.js';
import { SandboxManager } from '../../sandbox/docker/sandbox-manager.js';
import type { ExecutionOutcome, SandboxSession } from '../../sandbox/docker/sandbox-session.js';
import { renderOutcome } from '../../tools/python/render.js';
import { requireDocker } from '../support/docker.js';

const docker = await requireDocker();
const CANARY = `canary-${process.pid}-${Date.now()}`;

/**
 * Each case runs hostile code, checks it was contained, and then (afterEach) checks that the
 * session still answers: a contained attack must not leave the sandbox unusable.
 */
describe.skipIf(!docker.available)('the sandbox security battery', { timeout: 90_000 }, () => {
  let manager: SandboxManager;
  let session: SandboxSession;
  const run = (code: string, timeoutMs = 15_000, outputBytes = 4096): Promise<ExecutionOutcome> =>
    session.run(code, { timeoutMs, outputBytes });
  const value = async (code: string) => {
    const outcome = await run(code);
    expect(outcome.error).toBeNull();
    return outcome.value;
  };

  beforeAll(async () => {
    process.env['ASSAY_TEST_CANARY'] = CANARY;
    manager = new SandboxManager({ engine: docker.engine, poolSize: 0 });
    session = await manager.openSession();
  });

  afterEach(async () => {
    const outcome = await run('print("still", "working")');
    expect(outcome.status).toBe('ok');
    expect(outcome.stdout.head).toBe('still working\n');
  });

  afterAll(async () => {
    delete process.env['ASSAY_TEST_CANARY'];
    await session?.close();
    await manager?.close();
  });

  it('has no network interface but loopback, so a TCP connection out fails', async () => {
    expect(await value('import os\nsorted(os.listdir("/sys/class/net"))')).toBe("['lo']");
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): nothing answers there even if the sandbox leaked.
    const outcome = await run(
      'import socket\ntry:\n    socket.create_connection(("192.0.2.1", 80), timeout=3)\n    r = "connected"\nexcept OSError as e:\n    r = e.errno\nr',
    );
    expect(outcome.value).toBe('101');
  });

  it('cannot resolve names', async () => {
    const outcome = await run(
      'import socket\ntry:\n    socket.getaddrinfo("example.com", 443)\n    r = "resolved"\nexcept socket.gaierror as e:\n    r = "gaierror"\nr',
    );
    expect(outcome.value).toBe("'gaierror'");
  });

  it('cannot write outside /tmp and the workspace', async () => {
    const outcome = await run(
      [
        'import errno',
        'results = {}',
        'for path in ["/etc/evil", "/opt/assay/runner.py", "/usr/lib/evil", "/evil", "/root/evil"]:',
        '    try:',
        '        open(path, "w").write("x")',
        '        results[path] = "written"',
        '    except OSError as e:',
        '        results[path] = errno.errorcode[e.errno]',
        'open("/tmp/ok", "w").write("x"); open("/workspace/ok", "w").write("x")',
        'results',
      ].join('\n'),
    );
    const results = JSON.parse((outcome.value ?? '').replaceAll("'", '"')) as Record<
      string,
      string
    >;
    for (const [path, result] of Object.entries(results))
      expect([path, result]).toEqual([path, expect.stringMatching(/^(EROFS|EACCES)$/)]);
  });

  it('stops a fork bomb at the pids limit and cleans up what it left', async () => {
    const outcome = await run('import os\nwhile True:\n    os.fork()', 20_000);
    expect(outcome.status).toBe('error');
    expect(outcome.error?.type).toBe('BlockingIOError');
    expect(outcome.error?.message).toMatch(/Resource temporarily unavailable/);
    const living = [
      'import os',
      'def state(pid):',
      '    try:',
      '        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]',
      '    except OSError:',
      '        return "gone"',
      'len([p for p in os.listdir("/proc") if p.isdigit() and state(p) not in ("Z", "gone")])',
    ].join('\n');
    // Left: the init process and the runner. Killed forks may take a moment to be reaped on a
    // loaded machine, so look again for up to five seconds.
    let count = await value(living);
    for (let i = 0; i < 25 && count !== '2'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      count = await value(living);
    }
    expect(count).toBe('2');
  });

  it('ends a memory bomb with a clear out-of-memory error and a fresh session', async () => {
    await run('before_bomb = 1');
    const outcome = await run('hog = bytearray(4 * 1024 ** 3)');
    expect(outcome.status).toBe('oom');
    expect(renderOutcome(outcome)).toMatch(
      /out of memory: the code used more than the sandbox's 512 MB of memory/,
    );
    const next = await run('"before_bomb" in globals()');
    expect(next.value).toBe('False');
    expect(next.restartedAfter).toBe('a call ran out of memory');
  });

  it('stops `while True: pass` within its timeout plus one second', async () => {
    const started = performance.now();
    const outcome = await run('while True: pass', 2_000);
    const elapsed = performance.now() - started;
    expect(outcome.status).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(2_000);
    expect(elapsed).toBeLessThan(3_000);
  });

  it('caps 100 MB of output, keeping its head and tail and counting what was dropped', async () => {
    const outcome = await run(
      'import sys\nsys.stdout.write("H" + "x" * 99_999_998 + "T")\nNone',
      60_000,
      2048,
    );
    expect(outcome.stdout.total_bytes).toBe(100_000_000);
    expect(outcome.stdout.dropped_bytes).toBe(100_000_000 - 2048);
    expect(outcome.stdout.head.startsWith('H')).toBe(true);
    expect(outcome.stdout.tail.endsWith('T')).toBe(true);
    const text = renderOutcome(outcome);
    expect(text.length).toBeLessThan(2048 + 200);
    expect(text).toContain('[... 99997952 of 100000000 bytes of stdout omitted ...]');
  });

  it('caps output a subprocess writes straight to the file descriptor', async () => {
    const outcome = await run(
      'import os\nos.system("head -c 20000000 /dev/zero | tr \'\\\\0\' y")',
      60_000,
      1024,
    );
    expect(outcome.stdout.total_bytes).toBe(20_000_000);
    expect(outcome.stdout.head.length + outcome.stdout.tail.length).toBe(1024);
  });

  it('sees none of the host environment variables', async () => {
    const names = await value('import os\nsorted(os.environ)');
    // PATH comes from the image and HOSTNAME (`sandbox`) from Docker; neither is the host's.
    const expected = [
      ...sandboxEnv(manager.limits).map((e) => e.slice(0, e.indexOf('='))),
      'PATH',
      'HOSTNAME',
    ].sort();
    expect(names).toBe(`[${expected.map((n) => `'${n}'`).join(', ')}]`);
    expect(await value(`import os\n${JSON.stringify(CANARY)} in repr(dict(os.environ))`)).toBe(
      'False',
    );
  });

  it('has no Docker socket and no host mounts', async () => {
    expect(
      await value(
        'import os\n[p for p in ("/var/run/docker.sock", "/run/docker.sock") if os.path.exists(p)]',
      ),
    ).toBe('[]');
    expect(await value('"docker.sock" in open("/proc/self/mountinfo").read()')).toBe('False');
  });

  it('runs as a non-root user without capabilities and cannot become root', async () => {
    expect(await value('import os\n(os.getuid(), os.geteuid(), os.getgid())')).toBe(
      '(1000, 1000, 1000)',
    );
    expect(
      await value('[l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0]'),
    ).toBe("'0000000000000000'");
    const outcome = await run('import os\nos.setuid(0)');
    expect(outcome.error?.type).toBe('PermissionError');
  });
});
