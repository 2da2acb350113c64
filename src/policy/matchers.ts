import picomatch from 'picomatch';
import { RE2JS } from 're2js';
import { errorMessage } from '../core/errors.js';
import type { NumberMatcherSpec } from './schema.js';

/** A problem found in a policy file after the schema accepted it, located by its path. */
export interface SpecIssue {
  path: readonly PropertyKey[];
  message: string;
}

export type IssueSink = (issue: SpecIssue) => void;

/**
 * Compiles a glob once. picomatch does not throw on most malformed globs; it returns a pattern
 * that can never match (`$^`), which would make a rule silently dead, so that is an error too.
 */
export function compileGlob(
  glob: string,
  options: picomatch.PicomatchOptions,
  path: readonly PropertyKey[],
  report: IssueSink,
): ((value: string) => boolean) | null {
  const fast = simpleGlob(glob, options);
  if (fast) return fast;
  const unclosed = unclosedBracket(glob);
  if (unclosed !== null) {
    report({
      path,
      message: `"${glob}" is not a valid glob: the "[" at character ${unclosed + 1} is never closed (write "\\[" for a literal bracket)`,
    });
    return null;
  }
  try {
    const re = picomatch.makeRe(glob, options);
    if (re.source === '$^') {
      report({ path, message: `"${glob}" is not a valid glob (unbalanced braces or brackets?)` });
      return null;
    }
    return (value) => re.test(value);
  } catch (error) {
    report({ path, message: `"${glob}" is not a valid glob: ${errorMessage(error)}` });
    return null;
  }
}

/**
 * Where a `[` opens a character class that no `]` closes, or null. picomatch reads such a
 * bracket as a literal, so `[a-` would load and silently match only the text "[a-".
 */
function unclosedBracket(glob: string): number | null {
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c !== '[') continue;
    // A ']' right after '[', '[!' or '[^' is a member of the class, not its end.
    let j = i + 1;
    if (glob[j] === '!' || glob[j] === '^') j++;
    if (glob[j] === ']') j++;
    const close = glob.indexOf(']', j);
    if (close === -1) return i;
    i = close;
  }
  return null;
}

const GLOB_SYNTAX = /[*?[\]{}()!+@\\]/;

/**
 * The two globs rules use most, a plain name and `*.suffix`, as string comparisons: they
 * match exactly what picomatch would (its `*` spans dots with `dot: true`, never `/`) at a
 * fraction of the cost, which matters because they run on every decision.
 */
function simpleGlob(
  glob: string,
  options: picomatch.PicomatchOptions,
): ((value: string) => boolean) | null {
  const nocase = options.nocase === true;
  if (!GLOB_SYNTAX.test(glob)) {
    if (!nocase) return (value) => value === glob;
    const want = glob.toLowerCase();
    return (value) => value.toLowerCase() === want;
  }
  if (options.dot === true && glob.startsWith('*.') && !GLOB_SYNTAX.test(glob.slice(1))) {
    const suffix = nocase ? glob.slice(1).toLowerCase() : glob.slice(1);
    if (!nocase) return (value) => value.endsWith(suffix) && !value.includes('/');
    return (value) => value.toLowerCase().endsWith(suffix) && !value.includes('/');
  }
  return null;
}

/** True when the text uses glob syntax rather than naming one thing. */
export function isGlob(text: string): boolean {
  return picomatch.scan(text).isGlob;
}

/** A compiled policy regex: `test` says whether it matches anywhere in the text. */
export interface PolicyRegex {
  test(text: string): boolean;
}

const RE2_FLAGS: Readonly<Record<string, number>> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
  u: 0,
};

/**
 * Compiles a rule's regex on RE2 (re2js), whose matching time is linear in the text: with
 * JavaScript's backtracking engine, `(a+)+$` against 27 characters took about two seconds per
 * decision on the event loop, and arguments come from the model. RE2 has no lookaround or
 * backreferences, so a pattern that needs them does not load.
 */
export function compileRegex(
  source: string,
  flags: string | undefined,
  path: readonly PropertyKey[],
  report: IssueSink,
): PolicyRegex | null {
  let bits = 0;
  for (const flag of flags ?? '') {
    if (!Object.hasOwn(RE2_FLAGS, flag)) {
      const why =
        flag === 'g' || flag === 'y'
          ? 'g and y make matching depend on earlier calls'
          : `"${flag}" is not one of i, m, s, u`;
      report({ path, message: `regex flags "${flags}": ${why}` });
      return null;
    }
    bits |= RE2_FLAGS[flag]!;
  }
  try {
    const re = RE2JS.compile(source, bits);
    return { test: (text) => re.test(text) };
  } catch (error) {
    const detail = (error as Error).message.replace(/^error parsing regexp: /, '');
    report({
      path,
      message: `/${source}/ is not a valid regular expression for the linear-time (RE2) engine policies use, which has no lookaround or backreferences: ${detail}`,
    });
    return null;
  }
}

export function compileNumber(spec: NumberMatcherSpec): (value: number | undefined) => boolean {
  const { eq, lt, lte, gt, gte } = spec;
  return (value) =>
    value !== undefined &&
    Number.isFinite(value) &&
    (eq === undefined || value === eq) &&
    (lt === undefined || value < lt) &&
    (lte === undefined || value <= lte) &&
    (gt === undefined || value > gt) &&
    (gte === undefined || value >= gte);
}

export function describeNumber(spec: NumberMatcherSpec): string {
  const parts: string[] = [];
  if (spec.eq !== undefined) parts.push(`= ${spec.eq}`);
  if (spec.lt !== undefined) parts.push(`< ${spec.lt}`);
  if (spec.lte !== undefined) parts.push(`<= ${spec.lte}`);
  if (spec.gt !== undefined) parts.push(`> ${spec.gt}`);
  if (spec.gte !== undefined) parts.push(`>= ${spec.gte}`);
  return parts.join(' and ');
}
