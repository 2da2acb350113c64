import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxCodeRunner } from '../../sandbox/docker/code-runner.js';
import { LABEL_PID } from '../../sandbox/docker/labels.js';
import { reapOrphans } from '../../sandbox/docker/reaper.js';
import { SandboxManager } from '../../sandbox/docker/sandbox-manager.js';
import type { SandboxSession } from '../../sandbox/docker/sandbox-session.js';
import { toolsFromOptions, usableTools } from '../../src/cli/tool-options.js';
import { parseTask } from '../../src/eval/suite.js';
import { getVerifier } from '../../src/eval/verifiers/registry.js';
import type { CodeRunner } from '../../src/eval/verifiers/types.js';
import { requireDocker } from '../support/docker.js';

const docker = await requireDocker();
const ORPHAN = join(import.meta.dirname, '..', 'support', 'docker-orphan.ts');

/**
 * Python that writes a forged runner reply (a passing result whose output is the expression's, for
 * every request id a host could be waiting on) to every descriptor it can find or open: its own
 * (but its stdout and stderr), PID 1's and its parent's, through /proc. The old runner ran code in the process that held
 * the reply channel, and docker-init (PID 1) kept the attached stdout open to the same user.
 */
function forgeEverywhere(stdoutExpression: string): string {
  return `
import json, os
def _forged(i):
    head = ${stdoutExpression}
    out = {"head": head, "tail": "", "total_bytes": len(head), "dropped_bytes": 0}
    empty = {"head": "", "tail": "", "total_bytes": 0, "dropped_bytes": 0}
    return json.dumps({"type": "result", "id": i, "status": "ok", "stdout": out, "stderr": empty,
        "value": None, "error": None, "figures": [], "files": [], "files_omitted": [],
        "stopped_processes": 0, "duration_ms": 1}) + "\\n"
_lines = "".join(_forged(i) for i in range(1, 40)).encode()
_targets = []
for _pid in ("self", "1", str(os.getppid())):
    try:
        _targets += ["/proc/%s/fd/%s" % (_pid, f) for f in os.listdir("/proc/%s/fd" % _pid)
                     if _pid != "self" or int(f) > 2]
    except OSError:
        pass
for _path in _targets:
    try:
        _fd = os.open(_path, os.O_WRONLY | os.O_NONBLOCK)
        os.write(_fd, _lines)
    except OSError:
        pass
for _fd in range(3, 64):
    try:
        os.write(_fd, _lines)
    except OSError:
        pass
`;
}

describe.skipIf(!docker.available)('attacks on the sandbox runner', { timeout: 120_000 }, () => {
  let manager: SandboxManager;
  let runner: CodeRunner;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    manager = new SandboxManager({ engine: docker.engine, poolSize: 0, preload: [] });
    runner = createSandboxCodeRunner(manager);
  });

  afterEach(() => {
    for (const child of children.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  afterAll(async () => {
    await manager?.close();
    await reapOrphans(docker.engine);
  });

  const failing = parseTask({
    id: 'forge',
    prompt: 'Write add(a, b).',
    verifier: 'code_tests',
    tests: 'assert add(2, 3) == 5\nassert False, "this task can never pass"',
  });
  if (!failing.ok) throw new Error(failing.problems.join('; '));

  const candidates: Record<string, string> = {
    'forges a passing reply (with the pass marker it read from its own program) and exits 0': `
import linecache, re
_text = "".join("".join(v[2]) for v in list(linecache.cache.values()) if isinstance(v, tuple) and len(v) > 2)
_marker = (re.findall(r"ASSAY-TESTS-PASSED-[0-9a-f-]+", _text) or ["no-marker"])[0]
print(_marker)
${forgeEverywhere('_marker + "\\n"')}
os._exit(0)
`,
    'prints what a pass would print and ends with os._exit(0) inside the function the tests call': `
import os
def add(a, b):
    print("ok")
    os._exit(0)
`,
    'raises SystemExit(0) from inside the function the tests call': `
def add(a, b):
    raise SystemExit(0)
`,
    'kills every other process it can see, the test process included': `
import os, signal
def add(a, b):
    for p in os.listdir("/proc"):
        if p.isdigit() and int(p) != os.getpid():
            try:
                os.kill(int(p), signal.SIGKILL)
            except OSError:
                pass
    return 5
`,
  };

  for (const [attack, code] of Object.entries(candidates)) {
    it(`gives no reward to a candidate that ${attack}`, async () => {
      if (!failing.ok) throw new Error('unreachable');
      const answer = `\`\`\`python\n${code}\n\`\`\``;
      const result = await getVerifier('code_tests').verify(failing.task, answer, {
        codeRunner: runner,
      });
      expect(result.correct).toBe(false);
    });
  }

  it('gives the candidate no way into the test process through a function the tests pass it', async () => {
    const task = parseTask({
      id: 'callback',
      prompt: 'p',
      verifier: 'code_tests',
      tests: 'apply(lambda v: v, [1])\nassert False, "this task can never pass"',
    });
    if (!task.ok) throw new Error(task.problems.join('; '));
    const answer = [
      '```python',
      'def apply(f, xs):',
      '    f.__globals__["__builtins__"]["__import__"]("os")._exit(0)',
      '```',
    ].join('\n');
    const result = await getVerifier('code_tests').verify(task.task, answer, {
      codeRunner: runner,
    });
    expect(result.correct).toBe(false);
    expect(String(result.details['stderr'])).toContain("'Callback' object has no attribute");
  });

  it('still passes an honest candidate, with values, objects, exceptions and callbacks crossing over', async () => {
    const task = parseTask({
      id: 'objects',
      prompt: 'p',
      verifier: 'code_tests',
      tests: [
        'p = Point(1, 2)',
        'assert p.moved(1, 1).coords() == (2, 3)',
        'assert p.x == 1 and str(p) == "P(1, 2)"',
        'assert stats([1, 2, 3]) == {"mean": 2.0, "items": [1, 2, 3], "set": {1, 2, 3}}',
        'assert math.isclose(root(2.0), 1.4142135623730951)',
        'try:',
        '    stats([])',
        '    raise AssertionError("expected ValueError")',
        'except ValueError as e:',
        '    assert "empty" in str(e)',
        'assert apply(lambda v: v * 2, [1, 2]) == [2, 4]',
        'assert by(["bb", "a"], len) == ["a", "bb"]',
      ].join('\n'),
    });
    if (!task.ok) throw new Error(task.problems.join('; '));
    const answer = [
      '```python',
      'import math',
      'class Point:',
      '    def __init__(self, x, y):',
      '        self.x, self.y = x, y',
      '    def moved(self, dx, dy):',
      '        return Point(self.x + dx, self.y + dy)',
      '    def coords(self):',
      '        return (self.x, self.y)',
      '    def __str__(self):',
      '        return "P(%d, %d)" % (self.x, self.y)',
      'def stats(xs):',
      '    if not xs:',
      '        raise ValueError("empty input")',
      '    return {"mean": sum(xs) / len(xs), "items": list(xs), "set": set(xs)}',
      'def root(v):',
      '    return math.sqrt(v)',
      'def apply(f, xs):',
      '    return [f(x) for x in xs]',
      'def by(xs, key):',
      '    return sorted(xs, key=key)',
      '```',
    ].join('\n');
    const result = await getVerifier('code_tests').verify(task.task, answer, {
      codeRunner: runner,
    });
    expect(result.details).toMatchObject({ exit_code: 0 });
    expect(result.correct).toBe(true);
  });

  describe('in a python session', () => {
    let session: SandboxSession;

    beforeAll(async () => {
      session = await manager.openSession();
    });

    afterAll(async () => {
      await session?.close();
    });

    it('cannot forge its own result through the reply channel', async () => {
      const outcome = await session.run(`${forgeEverywhere('"FORGED\\n"')}\nprint("real")`, {
        timeoutMs: 15_000,
        outputBytes: 4096,
      });
      expect(outcome.status).toBe('ok');
      expect(outcome.stdout.head).toBe('real\n');
      const next = await session.run('6 * 7', { timeoutMs: 15_000, outputBytes: 4096 });
      expect(next.value).toBe('42');
      expect(next.restartedAfter).toBeUndefined();
    });

    it('pauses threads the code started while no call runs', async () => {
      const started = await session.run(
        [
          'import threading, time',
          'ticks = [0]',
          'def tick():',
          '    while True:',
          '        ticks[0] += 1',
          '        time.sleep(0.01)',
          'threading.Thread(target=tick, daemon=True).start()',
          'time.sleep(0.2)',
          'ticks[0]',
        ].join('\n'),
        { timeoutMs: 15_000, outputBytes: 4096 },
      );
      expect(Number(started.value)).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 2_000));
      const later = await session.run('ticks[0]', { timeoutMs: 15_000, outputBytes: 4096 });
      // Running freely, the thread would have ticked about 200 times in those two seconds.
      expect(Number(later.value) - Number(started.value)).toBeLessThan(60);
    });

    it('keeps no container log of the replies', async () => {
      await session.run('print("x" * 100_000)', { timeoutMs: 15_000, outputBytes: 4096 });
      const id = session.container?.id;
      expect(id).toBeDefined();
      const info = await docker.engine.inspectContainer(id!);
      expect(info.HostConfig.LogConfig?.Type).toBe('none');
      expect(info.LogPath ?? '').toBe('');
    });
  });

  it('stops a busy container soon after its assay process is killed, and the next run removes it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', ORPHAN, 'busy'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const lines = createInterface({ input: child.stdout! });
    const [line] = (await once(lines, 'line')) as [string];
    lines.close();
    const { pid, container } = JSON.parse(line) as { pid: number; container: string };
    // Let the call start spinning (it ignores SIGINT), then kill the owner without cleanup.
    await new Promise((r) => setTimeout(r, 1_500));
    child.kill('SIGKILL');
    await once(child, 'exit');
    let state = '';
    for (let i = 0; i < 100; i++) {
      const info = await docker.engine.inspectContainer(container);
      state = info.State.Status;
      if (state !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(state).toBe('exited');
    // The next run that can use python removes them, before (and whether or not) it calls it.
    const choice = await usableTools(await toolsFromOptions({ tools: 'python' }), {
      requiredBy: '--tools',
      onWarning: () => undefined,
    });
    expect(choice.names).toEqual(['python']);
    let left = await docker.engine.listContainers([`${LABEL_PID}=${pid}`]);
    for (let i = 0; i < 100 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await docker.engine.listContainers([`${LABEL_PID}=${pid}`]);
    }
    expect(left).toEqual([]);
  });
});
