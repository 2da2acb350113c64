/**
 * Source of the code that runs inside every isolate before the user's code. It installs
 * `console`, removes `WebAssembly` (its memories live outside the heap limit) and returns two
 * functions to the host: `begin(outputChars, valueChars)` sets the per-call output budget,
 * `run(source)` evaluates the user's code and always resolves to a JSON string: the value of
 * the last expression (awaited if it is a promise) or a description of what was thrown.
 *
 * Nothing the user's code throws or rejects with leaves the isolate: it is described here,
 * under the run's time limit, and only that string crosses to the host. isolated-vm would
 * otherwise read a thrown object's properties host-side with no time limit.
 *
 * It is a string, not a function's source, so no build step can rewrite it. The host's
 * `emit(stream, text)` is reachable only through this closure, takes strings only and
 * returns the budget left; the user's code never sees it or any other host object. The
 * built-ins it uses are captured first so user code that replaces them later cannot change
 * how values are described.
 */
export const PRELUDE_SOURCE = `(function (emit) {
  'use strict';
  const stringify = JSON.stringify;
  const isArray = Array.isArray;
  const objectKeys = Object.keys;
  const describeProperty = Object.getOwnPropertyDescriptor;
  const defineProperty = Object.defineProperty;
  const isView = ArrayBuffer.isView;
  const arrayFrom = Array.from;
  const NativeDate = Date;
  const NativeRegExp = RegExp;
  const NativeError = Error;
  const NativeMap = Map;
  const NativeSet = Set;
  const NativeWeakMap = WeakMap;
  const NativeWeakSet = WeakSet;
  const NativePromise = Promise;
  const NativeArrayBuffer = ArrayBuffer;
  const NativeSharedArrayBuffer = SharedArrayBuffer;
  const dateToIso = Date.prototype.toISOString;
  const dateTime = Date.prototype.getTime;
  const regExpToString = RegExp.prototype.toString;
  const bigintToString = BigInt.prototype.toString;
  const symbolToString = Symbol.prototype.toString;
  const call = Function.prototype.call.bind(Function.prototype.call);
  const NativeString = String;
  const stringSplit = String.prototype.split;
  const stringTrim = String.prototype.trim;
  const stringIncludes = String.prototype.includes;
  const stringSlice = String.prototype.slice;
  const stringReplace = String.prototype.replace;
  const EVAL_FRAME = /^at eval \\((input\\.js:\\d+:\\d+)\\)$/;
  const indirectEval = eval;
  const MAX_FRAMES = 10;
  const MAX_NODES = 10000;
  const MAX_ITEMS = 1000;
  const MAX_DEPTH = 20;

  let remaining = 0;
  let valueChars = 0;

  function describe(value, depth, seen, budget) {
    budget.nodes += 1;
    if (budget.nodes > MAX_NODES) return '[…]';
    switch (typeof value) {
      case 'string':
        return value.length > valueChars ? value.slice(0, valueChars) + '…' : value;
      case 'number':
        if (value !== value || value === Infinity || value === -Infinity) return NativeString(value);
        return value === 0 ? 0 : value;
      case 'boolean':
        return value;
      case 'undefined':
        return undefined;
      case 'bigint':
        return call(bigintToString, value) + 'n';
      case 'symbol':
        return call(symbolToString, value);
      case 'function':
        return value.name ? '[Function: ' + value.name + ']' : '[Function (anonymous)]';
    }
    if (value === null) return null;
    if (seen.has(value)) return '[Circular]';
    if (depth >= MAX_DEPTH) return isArray(value) ? '[Array]' : '[Object]';
    seen.add(value);
    try {
      return describeObject(value, depth, seen, budget);
    } finally {
      seen.delete(value);
    }
  }

  function describeObject(value, depth, seen, budget) {
    const inner = (v) => describe(v, depth + 1, seen, budget);
    if (isArray(value)) {
      const n = value.length < MAX_ITEMS ? value.length : MAX_ITEMS;
      const out = [];
      for (let i = 0; i < n; i++) {
        const item = inner(value[i]);
        out.push(item === undefined ? null : item);
      }
      if (value.length > n) out.push('… ' + (value.length - n) + ' more items');
      return out;
    }
    if (value instanceof NativeDate) {
      const time = call(dateTime, value);
      return time !== time ? 'Invalid Date' : call(dateToIso, value);
    }
    if (value instanceof NativeRegExp) return call(regExpToString, value);
    if (value instanceof NativeError) return NativeString(value.name) + ': ' + NativeString(value.message);
    if (value instanceof NativeMap) {
      return { '[Map]': arrayFrom(value).slice(0, MAX_ITEMS).map((entry) => [inner(entry[0]), inner(entry[1])]) };
    }
    if (value instanceof NativeSet) return { '[Set]': arrayFrom(value).slice(0, MAX_ITEMS).map(inner) };
    if (value instanceof NativeWeakMap) return '[WeakMap]';
    if (value instanceof NativeWeakSet) return '[WeakSet]';
    if (value instanceof NativePromise) return '[Promise]';
    if (value instanceof NativeArrayBuffer || value instanceof NativeSharedArrayBuffer) {
      return '[ArrayBuffer ' + value.byteLength + ' bytes]';
    }
    if (isView(value)) {
      const items = 'length' in value ? arrayFrom(value).slice(0, MAX_ITEMS) : [];
      return items.map((item) => (typeof item === 'bigint' ? call(bigintToString, item) + 'n' : item));
    }
    const out = {};
    const keys = objectKeys(value);
    const n = keys.length < MAX_ITEMS ? keys.length : MAX_ITEMS;
    for (let i = 0; i < n; i++) {
      const key = keys[i];
      const property = describeProperty(value, key);
      if (property === undefined) continue;
      const described = 'value' in property ? inner(property.value) : '[Getter]';
      if (described === undefined) continue;
      defineProperty(out, key, { value: described, enumerable: true, writable: true, configurable: true });
    }
    if (keys.length > n) out['…'] = keys.length - n + ' more keys';
    return out;
  }

  function toText(value) {
    if (typeof value === 'string') return value;
    const described = describe(value, 0, new NativeSet(), { nodes: 0 });
    return typeof described === 'string' ? described : NativeString(stringify(described));
  }

  function write(stream, args) {
    if (remaining <= 0) return;
    let text = '';
    for (let i = 0; i < args.length && text.length <= remaining; i++) {
      text += (i === 0 ? '' : ' ') + toText(args[i]);
    }
    if (text.length > remaining) text = text.slice(0, remaining);
    remaining = emit(stream, text);
  }

  const console = {};
  for (const name of ['log', 'info', 'debug', 'trace', 'dir']) {
    console[name] = function (...args) { write('out', args); };
  }
  for (const name of ['error', 'warn']) {
    console[name] = function (...args) { write('err', args); };
  }
  defineProperty(globalThis, 'console', { value: console, writable: true, configurable: true, enumerable: false });

  function begin(outputChars, maxValueChars) {
    remaining = outputChars;
    valueChars = maxValueChars;
  }

  function settle(value) {
    if (value === undefined) return '{"kind":"undefined"}';
    const json = stringify(describe(value, 0, new NativeSet(), { nodes: 0 }));
    if (typeof json !== 'string') return '{"kind":"undefined"}';
    if (json.length <= valueChars) return '{"kind":"value","value":' + json + '}';
    return stringify({ kind: 'truncated', preview: call(stringSlice, json, 0, valueChars) });
  }

  function cap(text) {
    return text.length > valueChars ? call(stringSlice, text, 0, valueChars) + '…' : text;
  }

  // Name, message and the stack frames inside the user's code; anything odd becomes a fixed text.
  function describeThrown(thrown) {
    if (typeof thrown === 'string') return 'Uncaught exception: ' + stringify(cap(thrown));
    if (typeof thrown === 'bigint') return 'Uncaught exception: ' + call(bigintToString, thrown) + 'n';
    if (typeof thrown === 'symbol') return 'Uncaught exception: ' + call(symbolToString, thrown);
    if (thrown === null || (typeof thrown !== 'object' && typeof thrown !== 'function')) {
      return 'Uncaught exception: ' + NativeString(thrown);
    }
    if (!(thrown instanceof NativeError)) {
      return 'Uncaught exception: the code threw an object that is not an Error.';
    }
    const head = cap(NativeString(thrown.name) + ': ' + NativeString(thrown.message));
    const lines = call(stringSplit, NativeString(thrown.stack), '\\n');
    let frames = '';
    let count = 0;
    for (let i = 1; i < lines.length && count < MAX_FRAMES; i++) {
      const line = call(stringTrim, NativeString(lines[i]));
      if (!call(stringIncludes, line, 'input.js:')) continue;
      frames += '\\n    ' + call(stringReplace, line, EVAL_FRAME, 'at $1');
      count++;
    }
    return head + frames;
  }

  function failure(thrown) {
    let message;
    try {
      message = describeThrown(thrown);
    } catch {
      message = 'Uncaught exception: the thrown value could not be described.';
    }
    return stringify({ kind: 'error', message: typeof message === 'string' ? message : 'Uncaught exception.' });
  }

  async function run(source) {
    let value;
    try {
      value = indirectEval(source);
    } catch (thrown) {
      return failure(thrown);
    }
    try {
      if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function') {
        value = await value;
      }
      const json = settle(value);
      return typeof json === 'string' ? json : '{"kind":"undefined"}';
    } catch (thrown) {
      return failure(thrown);
    }
  }

  delete globalThis.WebAssembly;

  return { begin: begin, run: run };
})`;
