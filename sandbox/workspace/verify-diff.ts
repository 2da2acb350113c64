import { VerifierError } from '../../src/core/errors.js';
import type { DockerEngine } from '../docker/engine.js';
import { packFiles } from './source-files.js';
import type { SpareWorkspaceSessions } from './spare-sessions.js';
import { Workspace } from './workspace.js';

/** A task's hidden tests: never shown to the agent, added to a fresh copy for grading. */
export interface HiddenTests {
  command: string;
  files?: Readonly<Record<string, string>> | undefined;
  fail_to_pass?: readonly string[] | undefined;
  pass_to_pass?: readonly string[] | undefined;
  timeout_s?: number | undefined;
  /** A patch that adds the tests (SWE-bench's `test_patch`), applied after the agent's diff. */
  patch?: string | undefined;
}

export type VerifyStatus = 'passed' | 'failed' | 'empty_diff' | 'diff_does_not_apply' | 'timeout';

export interface VerifyOutcome {
  status: VerifyStatus;
  reward: 0 | 1;
  exit_code: number | null;
  /** The end of the test output (stdout, then stderr), for the verifier's explanation. */
  output_tail: string;
  /** Per named test (FAIL_TO_PASS / PASS_TO_PASS), as read from the test output. */
  tests?: Record<string, string>;
  duration_ms: number;
}

const TAIL_CHARS = 4000;
const DIFF_FILE = '.assay-agent.diff';

/**
 * Grades a diff the way SWE-bench does: a fresh container with the base copy, the diff
 * applied with `git apply`, the hidden test files added, then the command. Docker failing
 * throws (an infra error, never reward 0); the agent's faults are outcomes.
 */
export async function verifyDiff(options: {
  source: string;
  diff: string;
  tests: HiddenTests;
  image?: string | undefined;
  engine?: DockerEngine;
  signal?: AbortSignal;
  /** Containers started ahead (same image and engine); each grade still takes a fresh one. */
  spares?: SpareWorkspaceSessions | undefined;
}): Promise<VerifyOutcome> {
  const started = performance.now();
  const done = (outcome: Omit<VerifyOutcome, 'duration_ms'>): VerifyOutcome => ({
    ...outcome,
    duration_ms: performance.now() - started,
  });
  if (options.diff.trim() === '')
    return done({
      status: 'empty_diff',
      reward: 0,
      exit_code: null,
      output_tail: 'the diff is empty',
    });
  const spares = options.spares;
  const workspace = await Workspace.open(options.source, {
    image: options.image,
    // Only a test patch needs the base tree (to put the files it touches back).
    base: Boolean(options.tests.patch),
    ...(spares ? { startSession: () => spares.take() } : {}),
    ...(options.engine ? { engine: options.engine } : {}),
    signal: options.signal,
  });
  try {
    const session = workspace.session;
    const wrote = await session.tool('write_file', { path: DIFF_FILE, content: options.diff });
    if (!wrote.ok) throw new Error(wrote.content);
    const applied = await session.bash(
      `git apply --whitespace=nowarn ${DIFF_FILE}; s=$?; rm -f ${DIFF_FILE}; (exit $s)`,
      60_000,
      TAIL_CHARS,
    );
    if (applied.exit_code !== 0) {
      return done({
        status: 'diff_does_not_apply',
        reward: 0,
        exit_code: applied.exit_code,
        output_tail: tail(applied.stdout, applied.stderr),
      });
    }
    if (options.tests.patch) {
      // As SWE-bench does: the files the test patch touches go back to the base first.
      await session.bash(
        resetCommand(await session.baseTree(), options.tests.patch),
        60_000,
        TAIL_CHARS,
      );
      const added = await session.tool('write_file', {
        path: DIFF_FILE,
        content: options.tests.patch,
      });
      if (!added.ok) throw new Error(added.content);
      const tests = await session.bash(
        `git apply --whitespace=nowarn ${DIFF_FILE}; s=$?; rm -f ${DIFF_FILE}; (exit $s)`,
        60_000,
        TAIL_CHARS,
      );
      if (tests.exit_code !== 0)
        throw new VerifierError(
          'VERIFIER_FAILED',
          `the task's test patch does not apply after the agent's diff: ${tail(tests.stdout, tests.stderr)}`,
        );
    }
    if (options.tests.files && Object.keys(options.tests.files).length > 0)
      await session.upload(packFiles(options.tests.files));
    const timeoutMs = (options.tests.timeout_s ?? 300) * 1000;
    const ran = await session.bash(options.tests.command, timeoutMs, 64 * 1024);
    const output_tail = tail(ran.stdout, ran.stderr);
    if (ran.timed_out) return done({ status: 'timeout', reward: 0, exit_code: null, output_tail });
    const named = [...(options.tests.fail_to_pass ?? []), ...(options.tests.pass_to_pass ?? [])];
    if (named.length === 0) {
      const passed = ran.exit_code === 0;
      return done({
        status: passed ? 'passed' : 'failed',
        reward: passed ? 1 : 0,
        exit_code: ran.exit_code,
        output_tail,
      });
    }
    const seen = parseTestStatuses(`${ran.stdout}\n${ran.stderr}`);
    const tests = Object.fromEntries(named.map((name) => [name, seen.get(name) ?? 'missing']));
    const passed = named.every((name) => tests[name] === 'PASSED');
    return done({
      status: passed ? 'passed' : 'failed',
      reward: passed ? 1 : 0,
      exit_code: ran.exit_code,
      output_tail,
      tests,
    });
  } finally {
    await workspace.close();
  }
}

function tail(stdout: string, stderr: string): string {
  const text = stderr ? `${stdout}\n${stderr}` : stdout;
  return text.slice(-TAIL_CHARS);
}

/**
 * Test statuses from pytest output, in both forms SWE-bench's parser reads: `-rA` summary
 * lines (`PASSED tests/t.py::test_x`) and verbose lines (`tests/t.py::test_x PASSED [ 50%]`).
 */
export function parseTestStatuses(output: string): Map<string, string> {
  const statuses = new Map<string, string>();
  const words = 'PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS';
  const summary = new RegExp(`^(${words})\\s+(\\S+)`);
  const verbose = new RegExp(`^(\\S+::\\S+)\\s+(${words})\\b`);
  for (const line of output.split('\n')) {
    const s = summary.exec(line.trim());
    if (s?.[1] && s[2]) statuses.set(s[2], s[1]);
    const v = verbose.exec(line.trim());
    if (v?.[1] && v[2]) statuses.set(v[1], v[2]);
  }
  return statuses;
}

/** Restores each file a patch touches to the base tree (or removes it if the base had none). */
function resetCommand(tree: string, patch: string): string {
  const paths = [...patch.matchAll(/^diff --git a\/(\S+) b\//gm)].map((m) => m[1] ?? '');
  const git = `git --git-dir=/tmp/.assay-workspace/base.git --work-tree=/workspace`;
  const quoted = (p: string) => `'${p.replaceAll("'", "'\\''")}'`;
  return paths
    .filter((p) => p !== '')
    .map(
      (p) =>
        `if ${git} cat-file -e ${tree}:${quoted(p)} 2>/dev/null; then ${git} checkout ${tree} -- ${quoted(p)}; else rm -f -- ${quoted(p)}; fi`,
    )
    .join('\n');
}
