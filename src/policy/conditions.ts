import { commandUnclear, compileCommandPatterns, type Direction } from './command-match.js';
import type { CallFacts, UsageView } from './facts.js';
import { fileTest } from './file-match.js';
import {
  compileGlob,
  compileNumber,
  compileRegex,
  describeNumber,
  type IssueSink,
} from './matchers.js';
import type { ArgMatcherSpec, ConditionsSpec, UsageMatcherSpec } from './schema.js';

/** One compiled condition: a test and the words `policy explain` uses for it. */
export interface Condition {
  key: string;
  text: string;
  test(facts: CallFacts): boolean;
}

const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SCHEME = /^[a-z][a-z0-9+.-]*$/;

/**
 * Compiles a `when` or `unless` block. All conditions of a block must hold. Conditions on the
 * URL hold only when the call has a parseable `url` argument, so a rule about hosts never
 * matches a call without one.
 */
export function compileConditions(
  spec: ConditionsSpec,
  path: readonly PropertyKey[],
  report: IssueSink,
  direction: Direction = 'narrow',
): Condition[] {
  const out: Condition[] = [];
  const at = (...rest: PropertyKey[]) => [...path, ...rest];

  if (spec.scheme) {
    const schemes = new Set(spec.scheme.map((s) => s.toLowerCase().replace(/:$/, '')));
    for (const [i, s] of [...schemes].entries()) {
      if (!SCHEME.test(s)) report({ path: at('scheme', i), message: `"${s}" is not a URL scheme` });
    }
    out.push({
      key: 'scheme',
      text: `URL scheme is ${[...schemes].join(' or ')}`,
      test: (f) => f.url !== null && schemes.has(f.url.scheme),
    });
  }
  if (spec.host) {
    const test = anyOf(
      // Hosts arrive lower-cased from the URL parser, so lower-casing the patterns once suffices.
      globs(
        spec.host.map((g) => g.toLowerCase()),
        at('host'),
        report,
        { dot: true },
        (g, p) => {
          if (g.includes('/'))
            report({ path: p, message: `host pattern "${g}" contains "/"; hosts have no path` });
        },
      ),
    );
    out.push({
      key: 'host',
      text: `URL host matches ${spec.host.join(' or ')}`,
      test: (f) => {
        const url = f.url;
        return url !== null && test(url.host);
      },
    });
  }
  if (spec.port) {
    const ports = new Set(spec.port);
    out.push({
      key: 'port',
      text: `URL port is ${spec.port.join(' or ')}`,
      test: (f) => f.url !== null && f.url.port !== null && ports.has(f.url.port),
    });
  }
  if (spec.private_network !== undefined) {
    const want = spec.private_network;
    out.push({
      key: 'private_network',
      text: want ? 'URL host is a private, loopback or link-local address' : 'URL host is public',
      test: (f) => f.url !== null && f.url.privateNetwork === want,
    });
  }
  if (spec.path) {
    const test = anyOf(globs(spec.path, at('path'), report, { dot: true }));
    out.push({
      key: 'path',
      text: `URL path matches ${spec.path.join(' or ')}`,
      test: (f) => {
        const url = f.url;
        return url !== null && test(url.path);
      },
    });
  }
  if (spec.url_seen !== undefined) {
    const want = spec.url_seen;
    out.push({
      key: 'url_seen',
      text: want
        ? 'URL appeared in the prompt or in search/fetch output'
        : 'URL did not appear in the prompt or in search/fetch output',
      test: (f) => f.url !== null && f.context.seenUrls.has(f.url.href) === want,
    });
  }
  if (spec.language) {
    const languages = new Set(spec.language.map((l) => l.toLowerCase()));
    out.push({
      key: 'language',
      text: `code language is ${spec.language.join(' or ')}`,
      test: (f) => {
        const language = f.language;
        return language !== undefined && languages.has(language);
      },
    });
  }
  if (spec.timeout_s) {
    const test = compileNumber(spec.timeout_s);
    out.push({
      key: 'timeout_s',
      text: `requested timeout ${describeNumber(spec.timeout_s)} s`,
      test: (f) => test(f.requestedTimeoutSeconds),
    });
  }
  if (spec.args) {
    for (const [name, matcher] of Object.entries(spec.args)) {
      if (!ARG_NAME.test(name)) {
        report({ path: at('args', name), message: `"${name}" is not an argument name` });
        continue;
      }
      const condition = compileArg(name, matcher, at('args', name), report);
      if (condition) out.push(condition);
    }
  }
  if (spec.tainted !== undefined) {
    const want = spec.tainted;
    out.push({
      key: 'tainted',
      text: want ? 'the episode is tainted' : 'the episode is not tainted',
      test: (f) => f.context.tainted === want,
    });
  }
  if (spec.mode !== undefined) {
    const interactive = spec.mode === 'interactive';
    out.push({
      key: 'mode',
      text: `the run is ${spec.mode}`,
      test: (f) => f.context.interactive === interactive,
    });
  }
  if (spec.step) {
    const test = compileNumber(spec.step);
    out.push({
      key: 'step',
      text: `step ${describeNumber(spec.step)}`,
      test: (f) => test(f.context.step),
    });
  }
  if (spec.command) {
    const matcher = compileCommandPatterns(spec.command);
    const which = direction === 'narrow' ? 'some' : 'every';
    out.push({
      key: 'command',
      text: `${which} command of the line matches ${spec.command.join(' or ')}`,
      test: (f) => matcher.test(f.arg('command'), direction),
    });
  }
  if (spec.command_unclear !== undefined) {
    const want = spec.command_unclear;
    out.push({
      key: 'command_unclear',
      text: want
        ? 'the command line cannot be read with certainty'
        : 'the command line can be read with certainty',
      test: (f) => {
        const command = f.arg('command');
        return command !== undefined && commandUnclear(command) === want;
      },
    });
  }
  if (spec.file) {
    const matches = anyOf(
      globs(spec.file, at('file'), report, { dot: true }, (g, p) => fileGlobCheck(g, p, report)),
    );
    const test = fileTest(matches);
    const which = direction === 'narrow' ? 'a' : 'every';
    out.push({
      key: 'file',
      text: `${which} file touched matches ${spec.file.join(' or ')} (relative to /workspace)`,
      test: (f) => {
        const files = f.files;
        return files !== undefined && test(files, direction);
      },
    });
  }
  if (spec.used) out.push(...compileUsage('used', spec.used, (f) => f.context.toolUsage));
  if (spec.episode_used) {
    out.push(...compileUsage('episode_used', spec.episode_used, (f) => f.context.episodeUsage));
  }
  return out;
}

/** File globs are relative to the workspace; an absolute one could never match. */
function fileGlobCheck(glob: string, path: readonly PropertyKey[], report: IssueSink): void {
  if (glob.startsWith('/') || glob.startsWith('./') || glob.split('/').includes('..')) {
    report({
      path,
      message: `file pattern "${glob}" must be relative to the workspace, without "/", "./" or ".." at the start (write "src/**", not "/workspace/src/**")`,
    });
  }
}

function anyOf(tests: readonly ((value: string) => boolean)[]): (value: string) => boolean {
  if (tests.length === 1) return tests[0]!;
  return (value) => {
    for (const test of tests) if (test(value)) return true;
    return false;
  };
}

function globs(
  patterns: readonly string[],
  path: readonly PropertyKey[],
  report: IssueSink,
  options: { nocase?: boolean; dot?: boolean },
  extra?: (glob: string, path: readonly PropertyKey[]) => void,
): ((value: string) => boolean)[] {
  const tests: ((value: string) => boolean)[] = [];
  patterns.forEach((glob, i) => {
    const p = patterns.length === 1 ? path : [...path, i];
    extra?.(glob, p);
    const test = compileGlob(glob, options, p, report);
    if (test) tests.push(test);
  });
  return tests;
}

function compileArg(
  name: string,
  spec: ArgMatcherSpec,
  path: readonly PropertyKey[],
  report: IssueSink,
): Condition | null {
  const parts: ((value: unknown) => boolean)[] = [];
  const words: string[] = [];
  if (spec.present !== undefined) {
    const want = spec.present;
    parts.push((v) => (v !== undefined) === want);
    words.push(want ? 'is present' : 'is absent');
  }
  if (spec.regex !== undefined) {
    const re = compileRegex(spec.regex, spec.flags, [...path, 'regex'], report);
    if (!re) return null;
    parts.push((v) => v !== undefined && re.test(asText(v)));
    words.push(`matches /${spec.regex}/${spec.flags ?? ''}`);
  } else if (spec.flags !== undefined) {
    report({ path: [...path, 'flags'], message: 'flags need a regex' });
  }
  if (spec.glob !== undefined) {
    const test = compileGlob(spec.glob, { dot: true }, [...path, 'glob'], report);
    if (!test) return null;
    parts.push((v) => v !== undefined && test(asText(v)));
    words.push(`matches ${spec.glob}`);
  }
  if (spec.equals !== undefined) {
    const want = spec.equals;
    parts.push((v) => v === want);
    words.push(`equals ${JSON.stringify(want)}`);
  }
  const { eq, lt, lte, gt, gte } = spec;
  if ([eq, lt, lte, gt, gte].some((x) => x !== undefined)) {
    const numeric = { eq, lt, lte, gt, gte };
    const test = compileNumber(numeric);
    parts.push((v) => typeof v === 'number' && test(v));
    words.push(describeNumber(numeric));
  }
  return {
    key: `args.${name}`,
    text: `argument ${name} ${words.join(' and ')}`,
    test: (f) => {
      const value = f.arg(name);
      return parts.every((part) => part(value));
    },
  };
}

/** Arguments that are not strings are matched in their JSON form. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

function compileUsage(
  key: 'used' | 'episode_used',
  spec: UsageMatcherSpec,
  view: (f: CallFacts) => UsageView,
): Condition[] {
  const scope = key === 'used' ? "this tool's" : "the episode's";
  const out: Condition[] = [];
  for (const dimension of [
    'calls',
    'sandbox_seconds',
    'fetched_bytes',
    'distinct_hosts',
  ] as const) {
    const matcher = spec[dimension];
    if (!matcher) continue;
    const test = compileNumber(matcher);
    out.push({
      key: `${key}.${dimension}`,
      text: `${scope} ${dimension} so far ${describeNumber(matcher)}`,
      test: (f) => test(view(f)[dimension]),
    });
  }
  return out;
}
