import picomatch from 'picomatch';
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

export function compileRegex(
  source: string,
  flags: string | undefined,
  path: readonly PropertyKey[],
  report: IssueSink,
): RegExp | null {
  if (flags !== undefined && /[gy]/.test(flags)) {
    report({
      path,
      message: `regex flags "${flags}": g and y make matching depend on earlier calls`,
    });
    return null;
  }
  try {
    return new RegExp(source, flags);
  } catch (error) {
    report({
      path,
      message: `/${source}/ is not a valid regular expression: ${errorMessage(error)}`,
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
