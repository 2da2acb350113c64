import { afterEach, describe, expect, it } from 'vitest';
import { type IsolateRunOptions, IsolateSession } from '../../sandbox/isolate/isolate-session.js';

const sessions: IsolateSession[] = [];

async function session(memoryMb = 64): Promise<IsolateSession> {
  const created = await IsolateSession.create({ memoryMb });
  sessions.push(created);
  return created;
}

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
});

const LIMITS: IsolateRunOptions = { timeoutMs: 2_000, cpuMs: 2_000, outputBytes: 4_096 };

describe('escapes from the isolate', () => {
  it('has no process, require, module or Node globals', async () => {
    const s = await session();
    for (const name of [
      'process',
      'require',
      'module',
      'Buffer',
      'setTimeout',
      'fetch',
      'ivm',
      'Reference',
    ]) {
      const r = await s.run(`typeof ${name}`, LIMITS);
      expect(r.value, name).toEqual({ kind: 'value', value: 'undefined' });
    }
    const r = await s.run('process.exit(1)', LIMITS);
    expect(r.error).toEqual({
      code: 'RUNTIME_ERROR',
      message: 'ReferenceError: process is not defined\n    at input.js:1:1',
    });
  });

  it('reaches only the isolate’s own Function through constructor chains', async () => {
    const s = await session();
    const viaGlobal = await s.run("globalThis.constructor.constructor('return process')()", LIMITS);
    expect(viaGlobal.error?.message).toMatch(/^ReferenceError: process is not defined/);
    const viaThis = await s.run(
      "this.constructor.constructor('return this')() === globalThis",
      LIMITS,
    );
    expect(viaThis.value).toEqual({ kind: 'value', value: true });
    const viaConsole = await s.run("console.log.constructor('return typeof require')()", LIMITS);
    expect(viaConsole.value).toEqual({ kind: 'value', value: 'undefined' });
  });

  it('exposes only standard built-ins on the global object', async () => {
    const s = await session();
    const r = await s.run('Object.getOwnPropertyNames(globalThis)', LIMITS);
    const names = (r.value as { value: string[] }).value;
    const standard = new Set(Object.getOwnPropertyNames(globalThis));
    const extra = names.filter((n) => !standard.has(n));
    expect(extra).toEqual([]);
  });

  it('keeps prototype pollution inside the isolate', async () => {
    const s = await session();
    const r = await s.run(
      'Object.prototype.polluted = 1; Array.prototype.push = null; ({ __proto__: { evil: 1 }, own: 2 })',
      LIMITS,
    );
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(typeof [].push).toBe('function');
    const value = (r.value as { value: Record<string, unknown> }).value;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(value).toEqual({ own: 2 });
  });

  it('returns copies, never live references, even of exotic values', async () => {
    const s = await session();
    const r = await s.run(
      'const o = { f() {}, s: Symbol("k"), b: 10n ** 20n, n: NaN, d: new Date(0), m: new Map([[1, 2]]), u: undefined }; o.self = o; o',
      LIMITS,
    );
    expect(r.value).toEqual({
      kind: 'value',
      value: {
        f: '[Function: f]',
        s: 'Symbol(k)',
        b: '100000000000000000000n',
        n: 'NaN',
        d: '1970-01-01T00:00:00.000Z',
        m: { '[Map]': [[1, 2]] },
        self: '[Circular]',
      },
    });
  });

  it('does not run getters while describing a value', async () => {
    const s = await session();
    const r = await s.run('let hits = 0; ({ get x() { hits++; return 1; } })', LIMITS);
    expect(r.value).toEqual({ kind: 'value', value: { x: '[Getter]' } });
    expect((await s.run('hits', LIMITS)).value).toEqual({ kind: 'value', value: 0 });
  });
});

describe('limits', () => {
  it('stops an infinite loop at its timeout and keeps the context', async () => {
    const s = await session();
    await s.run('let kept = 41', LIMITS);
    const r = await s.run('while (true) {}', { ...LIMITS, timeoutMs: 300 });
    expect(r.error).toEqual({
      code: 'TIMEOUT',
      message: 'The code ran past its time limit of 0.3 s and was stopped.',
    });
    expect(r.wallMs).toBeGreaterThanOrEqual(250);
    expect(r.lost).toBe(false);
    expect((await s.run('kept + 1', LIMITS)).value).toEqual({ kind: 'value', value: 42 });
  });

  it('stops endless microtasks and a promise that never settles', async () => {
    const s = await session();
    const spin = await s.run('(async () => { for (;;) await 0; })()', {
      ...LIMITS,
      timeoutMs: 300,
    });
    expect(spin.error?.code).toBe('TIMEOUT');
    const pending = await s.run('new Promise(() => {})', { ...LIMITS, timeoutMs: 300 });
    expect(pending.error?.code).toBe('TIMEOUT');
    expect(pending.error?.message).toContain('did not settle');
    expect((await s.run('1 + 1', LIMITS)).value).toEqual({ kind: 'value', value: 2 });
  });

  it('stops code at its CPU-time limit before the wall-clock limit', async () => {
    const s = await session();
    const r = await s.run('for (;;) {}', { ...LIMITS, timeoutMs: 5_000, cpuMs: 200 });
    expect(r.error).toEqual({
      code: 'CPU_LIMIT',
      message: 'The code used more than 0.2 s of CPU time and was stopped.',
    });
    expect(r.wallMs).toBeLessThan(4_000);
    expect(r.lost).toBe(true);
    expect(s.disposed).toBe(true);
  });

  it('ends a memory bomb with a clear error, and a new isolate works afterwards', async () => {
    const s = await session(32);
    const r = await s.run(
      'const hog = []; for (;;) hog.push(new Array(100000).fill(1.5));',
      LIMITS,
    );
    expect(r.error).toEqual({
      code: 'MEMORY_LIMIT',
      message: 'The code used more memory than its limit allows and was stopped.',
    });
    expect(r.lost).toBe(true);
    expect((await s.run('1', LIMITS)).error?.code).toBe('ISOLATE_DISPOSED');
    const next = await session(32);
    expect((await next.run('[1, 2, 3].map((x) => x * 2)', LIMITS)).value).toEqual({
      kind: 'value',
      value: [2, 4, 6],
    });
  });

  it('caps console output at the byte limit and stops formatting past it', async () => {
    const s = await session();
    const r = await s.run('for (let i = 0; i < 1e6; i++) console.log("line", i); "done"', {
      ...LIMITS,
      outputBytes: 100,
    });
    expect(r.ok).toBe(true);
    expect(Buffer.byteLength(r.output)).toBeLessThanOrEqual(100);
    expect(r.output.startsWith('line 0\nline 1\n')).toBe(true);
    expect(r.outputTruncated).toBe(true);
    expect(r.value).toEqual({ kind: 'value', value: 'done' });
  });

  it('caps a huge result value', async () => {
    const s = await session();
    const r = await s.run('"x".repeat(1e6)', { ...LIMITS, outputBytes: 1_000 });
    expect(r.value?.kind).toBe('truncated');
    const preview = (r.value as { preview: string }).preview;
    expect(preview.startsWith('"xxx')).toBe(true);
    expect(preview.length).toBe(1_000);
  });

  it('stops a run when the caller aborts', async () => {
    const s = await session();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const r = await s.run('for (;;) {}', {
      ...LIMITS,
      timeoutMs: 5_000,
      signal: controller.signal,
    });
    expect(r.error?.code).toBe('ABORTED');
    expect(r.wallMs).toBeLessThan(4_000);
  });
});

describe('hostile values', () => {
  it('describes a thrown Proxy inside the isolate and keeps the context', async () => {
    const s = await session();
    await s.run('let kept = 1', LIMITS);
    const loop = '{ get() { for (;;) {} } }';
    const plain = await s.run(`throw new Proxy({}, ${loop})`, LIMITS);
    expect(plain.error).toEqual({
      code: 'RUNTIME_ERROR',
      message: 'Uncaught exception: the code threw an object that is not an Error.',
    });
    const rejected = await s.run(`Promise.reject(new Proxy({}, ${loop}))`, LIMITS);
    expect(rejected.error?.code).toBe('RUNTIME_ERROR');
    const wrapped = await s.run(`throw new Proxy(new Error('x'), ${loop})`, {
      ...LIMITS,
      timeoutMs: 300,
    });
    expect(wrapped.error?.code).toBe('TIMEOUT');
    const nested = await s.run(
      `throw new Proxy(new Error('x'), { get() { throw new Proxy({}, ${loop}); } })`,
      LIMITS,
    );
    expect(nested.error?.message).toBe(
      'Uncaught exception: the thrown value could not be described.',
    );
    expect((await s.run('kept + 1', LIMITS)).value).toEqual({ kind: 'value', value: 2 });
  });

  it('describes errors from the isolate’s own built-ins even after user code replaced String', async () => {
    const s = await session();
    const r = await s.run('String = () => ({}); null.x', LIMITS);
    expect(r.error?.message).toBe(
      "TypeError: Cannot read properties of null (reading 'x')\n    at input.js:1:27",
    );
  });

  it('has no WebAssembly, whose memories the heap limit does not bound', async () => {
    const s = await session(64);
    const rss = process.memoryUsage().rss;
    const wasm = await s.run(
      'const m = new WebAssembly.Memory({ initial: 1, maximum: 65536 }); for (let i = 0; i < 300; i++) m.grow(100);',
      LIMITS,
    );
    expect(wasm.error?.message).toMatch(/^ReferenceError: WebAssembly is not defined/);
    const buffers = await s.run(
      'const kept = []; for (let i = 0; i < 40; i++) kept.push(new Uint8Array(100e6).fill(1));',
      LIMITS,
    );
    expect(buffers.error?.message).toMatch(/^RangeError: Array buffer allocation failed/);
    expect(process.memoryUsage().rss - rss).toBeLessThan(2 * 64e6 + 64e6);
    expect((await s.run('typeof WebAssembly', LIMITS)).value).toEqual({
      kind: 'value',
      value: 'undefined',
    });
  });
});

describe('running code', () => {
  it('keeps top-level declarations between runs', async () => {
    const s = await session();
    await s.run('const base = 10; function triple(x) { return 3 * x; }', LIMITS);
    expect((await s.run('triple(base)', LIMITS)).value).toEqual({ kind: 'value', value: 30 });
  });

  it('keeps let, const, class and destructured declarations, and lets a later run declare them again', async () => {
    const s = await session();
    const first = await s.run(
      'const { a, b: [c] } = { a: 1, b: [2] }; let n = 3; class Box { v = 4 }',
      LIMITS,
    );
    expect(first.error).toBeNull();
    expect((await s.run('a + c + n + new Box().v', LIMITS)).value).toEqual({
      kind: 'value',
      value: 10,
    });
    await s.run('const n = 30', LIMITS);
    expect((await s.run('n', LIMITS)).value).toEqual({ kind: 'value', value: 30 });
  });

  it('returns the last expression’s value when declarations follow it', async () => {
    const s = await session();
    const r = await s.run('const f = () => 1; f.name + 1; let later = 2', LIMITS);
    expect(r.value).toEqual({ kind: 'value', value: 'f1' });
  });

  it('captures console.log and console.error in order', async () => {
    const s = await session();
    const r = await s.run(
      'console.log("a", 1, { b: [2] }); console.error("oops"); console.info(null)',
      LIMITS,
    );
    expect(r.output).toBe('a 1 {"b":[2]}\noops\nnull\n');
    expect(r.value).toEqual({ kind: 'undefined' });
  });

  it('awaits a returned promise', async () => {
    const s = await session();
    const r = await s.run(
      '(async () => { const x = await Promise.resolve(20); return x + 1; })()',
      LIMITS,
    );
    expect(r.value).toEqual({ kind: 'value', value: 21 });
  });

  it('tells syntax errors from runtime errors and keeps host paths out of stacks', async () => {
    const s = await session();
    const syntax = await s.run('let = ;', LIMITS);
    expect(syntax.error).toEqual({
      code: 'SYNTAX_ERROR',
      message: "SyntaxError: Unexpected token ';' [input.js:1:7]",
    });
    const runtime = await s.run('function f() {\n  null.x;\n}\nf()', LIMITS);
    expect(runtime.error?.code).toBe('RUNTIME_ERROR');
    expect(runtime.error?.message).toBe(
      "TypeError: Cannot read properties of null (reading 'x')\n    at f (input.js:2:8)\n    at input.js:4:1",
    );
    const parse = await s.run('JSON.parse("{")', LIMITS);
    expect(parse.error?.code).toBe('RUNTIME_ERROR');
    expect(parse.error?.message).not.toMatch(/node_modules|\.ts:/);
  });

  it('describes thrown values that are not errors', async () => {
    const s = await session();
    expect((await s.run('throw "boom"', LIMITS)).error?.message).toBe('Uncaught exception: "boom"');
    expect((await s.run('throw { code: 7 }', LIMITS)).error?.message).toBe(
      'Uncaught exception: the code threw an object that is not an Error.',
    );
  });

  it('runs calls of one session one after another', async () => {
    const s = await session();
    await s.run('let n = 0', LIMITS);
    const runs = Array.from({ length: 5 }, () => s.run('n += 1; console.log(n); n', LIMITS));
    const outcomes = await Promise.all(runs);
    expect(outcomes.map((o) => o.output)).toEqual(['1\n', '2\n', '3\n', '4\n', '5\n']);
  });
});
