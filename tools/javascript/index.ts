import { z } from 'zod';
import { defineTool, type ToolDefinition } from '../../src/core/tool.js';
import { EpisodeIsolate } from './episode-isolate.js';
import { formatOutcome } from './format.js';

export interface JavascriptInput {
  code: string;
  timeout_s?: number | undefined;
}

/** The heap any one episode's isolate may use, whatever the policy grants. */
export const JAVASCRIPT_MAX_MEMORY_MB = 256;

const DESCRIPTION = [
  'Runs JavaScript (ES2023) in a sandboxed V8 isolate and returns what console.log printed and the value of the last expression.',
  'Variables and functions persist between calls in this conversation, like a REPL.',
  'There is no network, file system, require/import, process, timers (setTimeout), fetch or WebAssembly: only the language and its built-ins (Math, JSON, Intl, BigInt, typed arrays, …).',
  'A returned promise is awaited. Values come back as JSON (functions, symbols and BigInt as text).',
  'Calls have a time, CPU and memory limit; very long output is cut.',
].join(' ');

const inputSchema = z.strictObject({
  code: z
    .string()
    .min(1)
    .max(200_000)
    .describe(
      'JavaScript source; the value of the last expression is returned, e.g. "const xs = [3, 1, 2]; xs.sort()"',
    ),
  timeout_s: z
    .number()
    .positive()
    .max(600)
    .optional()
    .describe('Wall-clock limit for this call in seconds; the policy may allow less.'),
});

const WHY_LOST: Readonly<Record<string, string>> = {
  MEMORY_LIMIT: 'the previous call used more memory than allowed',
  CPU_LIMIT: 'the previous call used too much CPU time',
  TIMEOUT: 'the previous call did not stop at its time limit',
  ABORTED: 'the previous call was cancelled',
  ISOLATE_DISPOSED: 'the previous context was shut down',
};

/**
 * The `javascript` tool on isolated-vm: one isolate and context per episode, created on first
 * use through the episode's resources and disposed with them. The policy's clamps set the
 * memory limit (at most 256 MB), the wall-clock and CPU limits and the output size; errors,
 * limits hit and lost state come back to the model as data.
 */
export function createJavascriptTool(): ToolDefinition<JavascriptInput> {
  return defineTool<JavascriptInput>({
    name: 'javascript',
    description: DESCRIPTION,
    inputSchema,
    async run(args, ctx) {
      const limits = ctx.limits;
      const requested = args.timeout_s === undefined ? limits.timeout_ms : args.timeout_s * 1000;
      const timeoutMs = Math.max(1, Math.min(requested, limits.timeout_ms));
      const cpuMs = Math.max(1, Math.min(limits.cpu_ms ?? timeoutMs, timeoutMs));
      const memoryMb = Math.min(limits.memory_mb, JAVASCRIPT_MAX_MEMORY_MB);

      const episode = await ctx.resources.acquire(
        'javascript',
        async () => new EpisodeIsolate(),
        (value) => value.close(),
      );
      const { session, notice } = await episode.acquire(memoryMb);
      const outcome = await session.run(args.code, {
        timeoutMs,
        cpuMs,
        outputBytes: limits.output_bytes,
        signal: ctx.signal,
      });
      if (outcome.lost)
        episode.lost(WHY_LOST[outcome.error?.code ?? 'ISOLATE_DISPOSED'] ?? 'it was shut down');

      const content = formatOutcome(outcome, notice, limits.output_bytes);
      const data = {
        value: outcome.value,
        output_truncated: outcome.outputTruncated,
        cpu_ms: Math.round(outcome.cpuMs * 1000) / 1000,
        wall_ms: Math.round(outcome.wallMs * 1000) / 1000,
        context_reset: notice !== null,
        context_lost: outcome.lost,
      };
      const usage = { sandbox_ms: outcome.wallMs };
      if (outcome.error) return { ok: false, content, data, usage, error: { ...outcome.error } };
      return { ok: true, content, data, usage };
    },
  });
}
