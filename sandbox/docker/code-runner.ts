import type { CodeRunner, CodeRunResult } from '../../src/core/code-runner.js';
import type { StreamOutput } from './protocol.js';
import type { SandboxManager } from './sandbox-manager.js';

/** Output the verifier keeps from a candidate program. */
const OUTPUT_BYTES = 65_536;

/**
 * Runs `code_tests` verifications, each in a fresh locked-down session that is removed
 * afterwards. The runner runs the tests in a process of their own that the candidate cannot
 * reach and reports that process's exit status: 0 only when the tests ran to their end. A
 * failing test is a normal failed run (exit code 1); a timeout, a kill or an out-of-memory end
 * is `ok: false`; an engine that cannot give a container throws its InfraError, so the sample
 * is an infra error and never a zero.
 */
export function createSandboxCodeRunner(manager: SandboxManager): CodeRunner {
  return {
    async runTests(candidate, tests, timeoutMs, signal): Promise<CodeRunResult> {
      const session = await manager.openSession(signal === undefined ? {} : { signal });
      try {
        const outcome = await session.run(candidate, {
          tests,
          timeoutMs,
          outputBytes: OUTPUT_BYTES,
          signal,
        });
        const finished = outcome.status === 'ok' || outcome.status === 'error';
        const result: CodeRunResult = {
          ok: finished,
          stdout: joinOutput(outcome.stdout),
          stderr: [joinOutput(outcome.stderr), outcome.error?.traceback ?? '']
            .filter(Boolean)
            .join('\n'),
          exitCode: outcome.status === 'ok' ? 0 : outcome.status === 'error' ? 1 : null,
        };
        if (!finished) result.error = outcome.status;
        return result;
      } finally {
        await session.close();
      }
    },
  };
}

function joinOutput(output: StreamOutput): string {
  if (output.dropped_bytes > 0)
    return `${output.head}\n[… ${output.dropped_bytes} bytes omitted …]\n${output.tail}`;
  return output.head + output.tail;
}
