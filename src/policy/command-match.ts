import { type Pipeline, parseShell, type SimpleCommand } from './shell-parse.js';

/**
 * Matching `bash` command lines against rule patterns such as `git push*` (after Claude Code's
 * `Bash(git push:*)` prefix rules and Codex's execpolicy). A pattern is a wildcard over one
 * simple command's words joined by single spaces: `*` is any text, spaces included, `?` one
 * character. Which way an unclear case falls depends on what a match does:
 *
 * - `narrow` (a deny or ask rule, or an allow rule's `unless`): the condition holds when ANY
 *   command of the line matches, seen also through wrappers (`sudo -u x git push`,
 *   `env A=1 git push`, `command git push`, `xargs git push`, `bash -c '...'`), with env
 *   prefixes dropped, the program's directory dropped (`/usr/bin/git`) and git's global
 *   options dropped (`git -C dir push`). A line that cannot be read, or whose program name is
 *   an expansion (`$CMD push`), holds: chaining or quoting cannot slip past a deny.
 * - `widen` (an allow rule, or a deny rule's `unless`): the condition holds only when EVERY
 *   command of the line, nested ones included, matches as written (env prefixes and paths
 *   kept), writes no file by redirection and names its program literally. A line that cannot
 *   be read never holds: an allow never covers what was not understood.
 */
export type Direction = 'narrow' | 'widen';

export interface CommandMatcher {
  test(command: unknown, direction: Direction): boolean;
}

const MAX_NESTING = 8;

// Several rules read the same call's command: the last line read is kept (results are never
// changed after parsing, so sharing them is safe).
let lastText: string | undefined;
let lastParsed: Pipeline[] | null = null;

function parsed(text: string): Pipeline[] | null {
  if (text !== lastText) {
    lastParsed = parseShell(text);
    lastText = text;
  }
  return lastParsed;
}

export function compileCommandPatterns(patterns: readonly string[]): CommandMatcher {
  const tests = patterns.map(wildcard);
  const any = (text: string) => tests.some((t) => t(text));
  return {
    test(command, direction) {
      if (command === undefined) return false;
      if (typeof command !== 'string') return direction === 'narrow';
      return direction === 'narrow' ? narrowMatch(command, any, 0) : widenMatch(command, any);
    },
  };
}

/**
 * Whether a command line cannot be read with certainty: it does not parse, or some program
 * name (nested and wrapped ones too) comes from an expansion. Such a line holds for every
 * `narrow` pattern; this lets a rule say so on its own, with its own reason.
 */
export function commandUnclear(command: unknown): boolean {
  if (command === undefined) return false;
  if (typeof command !== 'string') return true;
  return narrowMatch(command, () => false, 0);
}

function widenMatch(command: string, matches: (text: string) => boolean): boolean {
  const pipelines = parsed(command);
  if (pipelines === null) return false;
  let seen = 0;
  for (const pipeline of pipelines) {
    for (const simple of pipeline) {
      if (simple.writesFile) return false;
      const named = simple.words.length > simple.assignments;
      if (!named) {
        // A bare assignment runs nothing itself, unless it changes what later names resolve to.
        if (simple.words.some((w) => RISKY_VARIABLE.test(w))) return false;
        continue;
      }
      if (simple.dynamic[simple.assignments] === true) return false;
      seen++;
      if (!matches(simple.words.join(' '))) return false;
    }
  }
  return seen > 0;
}

const RISKY_VARIABLE =
  /^(PATH|LD_[A-Z_]*|BASH_ENV|ENV|IFS|GIT_[A-Z_]*|PYTHONPATH|NODE_OPTIONS)\+?=/;

function narrowMatch(command: string, matches: (text: string) => boolean, depth: number): boolean {
  if (depth > MAX_NESTING) return true;
  const pipelines = parsed(command);
  if (pipelines === null) return true;
  return pipelines.some((pipeline) => pipelineMatches(pipeline, matches, depth));
}

function pipelineMatches(
  pipeline: Pipeline,
  matches: (text: string) => boolean,
  depth: number,
): boolean {
  const heads: string[] = [];
  for (const simple of pipeline) {
    const views = commandViews(simple);
    if (views === 'unknown') return true;
    for (const view of views.words) if (matches(view.join(' '))) return true;
    for (const nested of views.scripts) if (narrowMatch(nested, matches, depth + 1)) return true;
    heads.push(views.words[0]?.join(' ') ?? '');
  }
  // Patterns about a whole pipeline, such as `curl * | sh`.
  return pipeline.length > 1 && matches(heads.join(' | '));
}

interface Views {
  /** Word lists the command may be read as: as run, then each wrapper's inner command. */
  words: string[][];
  /** Command strings the command runs in turn (`bash -c`, `eval`). */
  scripts: string[];
}

/** Every reading of one simple command a deny rule should see, or `unknown`. */
function commandViews(simple: SimpleCommand): Views | 'unknown' {
  const out: Views = { words: [], scripts: [] };
  let words = simple.words.slice(simple.assignments);
  let dynamic = simple.dynamic.slice(simple.assignments);
  for (let hops = 0; words.length > 0; hops++) {
    if (dynamic[0] === true || hops > MAX_NESTING) return 'unknown';
    const name = basename(words[0]!);
    const view = [name, ...words.slice(1)];
    out.words.push(view);
    if (name === 'git') out.words.push(['git', ...withoutGitOptions(view.slice(1))]);
    if (SHELLS.has(name) || name === 'su') {
      const script = shellScript(words, dynamic);
      if (script === 'unknown') return 'unknown';
      if (script !== null) out.scripts.push(script);
    }
    if (name === 'eval') {
      if (dynamic.slice(1).some(Boolean)) return 'unknown';
      out.scripts.push(words.slice(1).join(' '));
    }
    if (name === 'find') {
      const exec = findExec(words);
      if (exec !== null) {
        words = words.slice(exec.start, exec.end);
        dynamic = dynamic.slice(exec.start, exec.end);
        continue;
      }
    }
    const skip = wrapped(name, words);
    if (skip === null) break;
    words = words.slice(skip);
    dynamic = dynamic.slice(skip);
    // `env A=1 cmd` and `sudo A=1 cmd`: assignments before the inner command.
    while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) {
      words = words.slice(1);
      dynamic = dynamic.slice(1);
    }
  }
  return out;
}

function basename(word: string): string {
  const slash = word.lastIndexOf('/');
  return slash === -1 ? word : word.slice(slash + 1);
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash', 'busybox']);

/** The script of `bash -c SCRIPT`, null when the shell is not given one, or unknown. */
function shellScript(
  words: readonly string[],
  dynamic: readonly boolean[],
): string | 'unknown' | null {
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith('-')) return null;
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(word)) {
      if (i + 1 >= words.length) return null;
      return dynamic[i + 1] === true ? 'unknown' : words[i + 1]!;
    }
  }
  return null;
}

const GIT_OPTIONS_WITH_VALUE = new Set([
  '-C',
  '-c',
  '--git-dir',
  '--work-tree',
  '--namespace',
  '--exec-path',
  '--config-env',
]);

function withoutGitOptions(args: readonly string[]): string[] {
  let i = 0;
  while (i < args.length && args[i]!.startsWith('-')) {
    i += GIT_OPTIONS_WITH_VALUE.has(args[i]!) ? 2 : 1;
  }
  return args.slice(i);
}

/** The command `find ... -exec CMD ... ;` runs, as a word range. */
function findExec(words: readonly string[]): { start: number; end: number } | null {
  const at = words.findIndex(
    (w) => w === '-exec' || w === '-execdir' || w === '-ok' || w === '-okdir',
  );
  if (at === -1 || at + 1 >= words.length) return null;
  let end = at + 1;
  while (end < words.length && words[end] !== ';' && words[end] !== '+') end++;
  return { start: at + 1, end };
}

/**
 * Programs that run another command given as their arguments, with the options that take a
 * value: how many words to skip to reach the inner command, or null when `name` is none.
 */
const WRAPPERS: Readonly<Record<string, { valued: ReadonlySet<string>; positional?: number }>> = {
  sudo: { valued: new Set(['-u', '-g', '-h', '-p', '-U', '-C', '-D', '-R', '-T', '-r', '-t']) },
  doas: { valued: new Set(['-u', '-C']) },
  env: { valued: new Set(['-u', '-C', '-S', '--unset', '--chdir']) },
  command: { valued: new Set() },
  builtin: { valued: new Set() },
  exec: { valued: new Set(['-a']) },
  nohup: { valued: new Set() },
  time: { valued: new Set(['-f', '-o']) },
  nice: { valued: new Set(['-n']) },
  ionice: { valued: new Set(['-c', '-n', '-p']) },
  setsid: { valued: new Set() },
  stdbuf: { valued: new Set(['-i', '-o', '-e']) },
  timeout: { valued: new Set(['-s', '-k', '--signal', '--kill-after']), positional: 1 },
  xargs: { valued: new Set(['-I', '-i', '-n', '-P', '-d', '-L', '-l', '-s', '-E', '-e', '-a']) },
  su: { valued: new Set(['-s', '-g', '-G', '--shell', '--group']) },
  chroot: { valued: new Set(['--userspec', '--groups']), positional: 1 },
  runuser: { valued: new Set(['-u', '-g', '-G', '-s']) },
  unbuffer: { valued: new Set() },
  watch: { valued: new Set(['-n', '-d']) },
  flock: { valued: new Set(['-w', '-E']), positional: 1 },
};

function wrapped(name: string, words: readonly string[]): number | null {
  if (!Object.hasOwn(WRAPPERS, name)) return null;
  const spec = WRAPPERS[name]!;
  let i = 1;
  while (i < words.length) {
    const word = words[i]!;
    if (word === '--') {
      i++;
      break;
    }
    if (!word.startsWith('-') || word === '-') break;
    i += spec.valued.has(word) ? 2 : 1;
  }
  i += spec.positional ?? 0;
  return i < words.length ? i : null;
}

/**
 * A wildcard test: `*` any text, `?` one character, everything else literal. Greedy with one
 * backtrack point, so its time is at most text × pattern, never exponential.
 */
function wildcard(pattern: string): (text: string) => boolean {
  return (text) => {
    let p = 0;
    let t = 0;
    let star = -1;
    let mark = 0;
    while (t < text.length) {
      if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
        p++;
        t++;
      } else if (p < pattern.length && pattern[p] === '*') {
        star = p++;
        mark = t;
      } else if (star !== -1) {
        p = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.length && pattern[p] === '*') p++;
    return p === pattern.length;
  };
}
