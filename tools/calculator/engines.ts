import { createRequire } from 'node:module';
import type { ConfigOptions, MathJsInstance, MathNode } from 'mathjs';
import {
  CONSTANT_NAMES,
  DISABLED_IN_INSTANCE,
  FUNCTION_ALIASES,
  FUNCTION_NAMES,
} from './allowlist.js';
import { type EngineKind, type Fn, guardFunctions } from './guards.js';
import { Meter } from './meter.js';

export type { EngineKind } from './guards.js';

/**
 * mathjs's single-file build, listed in its exports map: the same code as its ESM entry, which
 * loads about 1,100 files (1.7 s of CPU) where this loads one (0.1 s). It is CommonJS, and
 * `require` loads it without the ES-module lexer's pass over its 2 MB that `import` makes to
 * find the named exports. Its default instance's `create` is bound to every factory:
 * `create(config)` here is `create(all, config)` in 'mathjs'.
 */
const mathjs = createRequire(import.meta.url)('mathjs/lib/browser/math.js') as {
  create(config: ConfigOptions): MathJsInstance;
};

/** One mathjs instance with the functions and constants an expression may reach. */
export interface Engine {
  readonly kind: EngineKind;
  readonly math: MathJsInstance;
  /** The instance's parser, kept before the instance's own `parse` is disabled. */
  readonly parse: (text: string) => MathNode;
  readonly functions: ReadonlyMap<string, Fn>;
  readonly constants: ReadonlyMap<string, unknown>;
  readonly meter: Meter;
}

/** Decimal precision of the decimal pass, and of the pass that checks it for rounding noise. */
export const DECIMAL_PRECISION = 64;
export const CHECK_PRECISION = 128;

const engines = new Map<string, Engine>();

/** The shared engine of a kind, created on first use. */
export function getEngine(kind: EngineKind, precision = DECIMAL_PRECISION): Engine {
  const key = kind === 'exact' ? kind : `${kind}:${precision}`;
  let engine = engines.get(key);
  if (!engine) {
    engine = createEngine(kind, precision);
    engines.set(key, engine);
  }
  return engine;
}

function createEngine(kind: EngineKind, precision: number): Engine {
  // Bound to all of mathjs's factories, as `create(all, config)` of the ESM entry.
  const math =
    kind === 'exact'
      ? mathjs.create({ number: 'Fraction' })
      : mathjs.create({ number: 'BigNumber', precision });
  const parse = math.parse;
  // The transform variants are what mathjs's own evaluator calls: inclusive ranges, 1-based dimensions.
  const { expression } = math as unknown as {
    expression: { mathWithTransform: Record<string, unknown> };
  };
  const namespace = expression.mathWithTransform;
  const base = new Map<string, Fn>();
  const plain = math as unknown as Record<string, unknown>;
  const meter = new Meter();
  for (const name of FUNCTION_NAMES) {
    // `in` does not run mathjs's lazy factory; reading the property would.
    if (!(name in namespace)) throw new Error(`mathjs has no function ${name}`);
    base.set(
      name,
      onFirstCall(() => mathFunction(name, namespace, plain), meter),
    );
  }
  const constants = new Map<string, unknown>();
  for (const name of CONSTANT_NAMES) {
    if (name === 'true') constants.set(name, true);
    else if (name === 'false') constants.set(name, false);
    else if (name === 'null') constants.set(name, null);
    else constants.set(name, namespace[name]);
  }
  disableEscapes(math);

  const functions = guardFunctions(kind, math, base, meter);
  for (const [alias, target] of Object.entries(FUNCTION_ALIASES)) {
    const fn = functions.get(target);
    if (fn) functions.set(alias, fn);
  }
  return { kind, math, parse, functions, constants, meter };
}

function mathFunction(
  name: string,
  namespace: Record<string, unknown>,
  plain: Record<string, unknown>,
): Fn {
  let fn = namespace[name];
  // Lazy `and`/`or` transforms take unevaluated nodes; this evaluator passes values.
  if (typeof fn === 'function' && (fn as { rawArgs?: boolean }).rawArgs === true) fn = plain[name];
  if (typeof fn !== 'function') throw new Error(`mathjs has no function ${name}`);
  return fn as Fn;
}

/**
 * A function that resolves its mathjs function on its first call: mathjs builds each one (its
 * typed-function signatures and dependencies) when first read, and building all 130 allowed
 * functions up front cost about 0.3 s of CPU where an expression uses a few. As when they
 * were built up front, building one does not count against the expression's time limit.
 */
function onFirstCall(resolve: () => Fn, meter: Meter): Fn {
  let fn: Fn | undefined;
  return (...args) => {
    if (fn === undefined) {
      const building = performance.now();
      fn = resolve();
      meter.extend(performance.now() - building);
    }
    return fn(...args);
  };
}

/**
 * Replaces the functions that parse, rewrite or extend the instance with stubs that throw, as
 * the mathjs security guide recommends.
 */
function disableEscapes(math: MathJsInstance): void {
  const stubs: Record<string, () => never> = {};
  for (const name of DISABLED_IN_INSTANCE) {
    stubs[name] = () => {
      throw new Error(`${name} is disabled in the calculator`);
    };
  }
  math.import(stubs, { override: true });
}
