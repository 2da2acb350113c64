import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { UsageError } from '../core/errors.js';
import type { ModelProvider, Sampling, ToolFormat } from '../core/provider.js';
import { TOOL_FORMATS } from '../core/provider.js';
import { parseOptions } from './parse-options.js';

export const DEFAULT_BASE_URL = 'http://127.0.0.1:11434/v1';

/** Adds the flags that pick and configure a model, shared by `run` and `eval`. */
export function addModelOptions(command: Command): Command {
  return command
    .option('--model <name>', 'a model on an OpenAI-compatible server (env ASSAY_MODEL)')
    .option(
      '--base-url <url>',
      `the server's base URL (env ASSAY_BASE_URL; default ${DEFAULT_BASE_URL})`,
    )
    .option(
      '--api-key <key>',
      'API key for the server (env ASSAY_API_KEY; local servers ignore it)',
    )
    .option('--model-path <file>', 'a GGUF model file run in-process by llama.cpp')
    .option(
      '--threads <n>',
      'CPU threads of the in-process model (default: 1 for the bundled model, else llama.cpp picks)',
    )
    .option('--temperature <t>', 'sampling temperature')
    .option('--top-p <p>', 'nucleus sampling probability')
    .option('--seed <n>', 'sampling seed')
    .option('--max-tokens <n>', 'maximum tokens per model reply')
    .addOption(
      new Option(
        '--reasoning-effort <level>',
        'reasoning_effort sent to servers that take it (gpt-oss): low, medium or high',
      ).choices(['low', 'medium', 'high']),
    )
    .option('--request-timeout <seconds>', 'timeout of one model request', '300')
    .option('--no-stream', 'ask the server for whole responses instead of a stream')
    .option(
      '--record-tokens',
      "record each turn's token ids and logprobs in the trace (the in-process model, vLLM, SGLang; llama.cpp's server gives no prompt ids)",
    )
    .addOption(
      new Option('--tool-format <format>', 'how tool calls travel between assay and the model')
        .choices(TOOL_FORMATS)
        .default('auto'),
    );
}

/**
 * The schema of the model flags, built on first use: zod and its schemas load only for a
 * command that runs, not for `--help`.
 */
async function modelFlagsSchema() {
  const { z } = await import('zod');
  const numberFlag = (name: string) =>
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isFinite(n)) {
          ctx.addIssue({ code: 'custom', message: `--${name} must be a number, got "${v}"` });
          return z.NEVER;
        }
        return n;
      });
  return z.object({
    model: z.string().min(1).optional(),
    baseUrl: z
      .url({ message: '--base-url must be a URL such as http://127.0.0.1:11434/v1' })
      .optional(),
    apiKey: z.string().optional(),
    modelPath: z.string().optional(),
    threads: z.coerce
      .number({ message: '--threads must be a number' })
      .int({ message: '--threads must be a whole number' })
      .positive({ message: '--threads must be a positive integer' })
      .optional(),
    temperature: numberFlag('temperature'),
    topP: numberFlag('top-p'),
    seed: numberFlag('seed'),
    maxTokens: numberFlag('max-tokens'),
    reasoningEffort: z.enum(['low', 'medium', 'high']).optional(),
    requestTimeout: numberFlag('request-timeout'),
    stream: z.boolean().default(true),
    recordTokens: z.boolean().default(false),
    toolFormat: z.enum(TOOL_FORMATS as [ToolFormat, ...ToolFormat[]]).default('auto'),
  });
}

let modelFlags: ReturnType<typeof modelFlagsSchema> | undefined;

export interface ModelChoice {
  provider: ModelProvider;
  sampling: Sampling;
  /** `--record-tokens`: episodes ask the model for token ids and logprobs. */
  recordTokens: boolean;
}

/** The bundled model's temperature for `--samples K > 1`: samples differ, answers stay on task. */
export const BUNDLED_MODEL_TEMPERATURE = 0.7;
/** What an in-process model (`--model-path`) uses without `--temperature`: greedy decoding. */
const IN_PROCESS_TEMPERATURE = 0;

/**
 * Turns the model flags (and their environment variables) into a provider and sampling. The
 * provider's module is imported here, so that `--help` and the other commands never load
 * `openai` or node-llama-cpp.
 */
export async function modelFromOptions(
  raw: Record<string, unknown>,
  env = process.env,
  options: { samples?: number } = {},
): Promise<ModelChoice> {
  modelFlags ??= modelFlagsSchema();
  const flags = parseOptions(await modelFlags, raw);
  const sampling: Sampling = {};
  if (flags.temperature !== undefined) sampling.temperature = flags.temperature;
  if (flags.topP !== undefined) sampling.top_p = flags.topP;
  if (flags.seed !== undefined) sampling.seed = Math.trunc(flags.seed);
  if (flags.maxTokens !== undefined) sampling.max_tokens = Math.trunc(flags.maxTokens);
  if (flags.reasoningEffort !== undefined) sampling.reasoning_effort = flags.reasoningEffort;

  const model = flags.model ?? (env.ASSAY_MODEL || undefined);
  if (flags.modelPath !== undefined && flags.model !== undefined) {
    throw new UsageError('USAGE', '--model and --model-path name two models; give one');
  }
  const inProcess = flags.modelPath !== undefined || model === undefined;
  if (flags.threads !== undefined && !inProcess) {
    throw new UsageError(
      'USAGE',
      '--threads sets the threads of an in-process model (--model-path); a server picks its own',
    );
  }
  if (inProcess) {
    const { createLlamaCppProvider, defaultModelPath } = await import(
      '../model/llama-cpp-provider.js'
    );
    // No model named at all: the bundled tiny model, offline (a demonstration, not an assistant).
    const modelPath = resolve(flags.modelPath ?? defaultModelPath());
    if (flags.modelPath === undefined && !existsSync(modelPath)) {
      throw new UsageError(
        'MODEL_NOT_CONFIGURED',
        `no model named: pass --model NAME (a model served by an OpenAI-compatible server at --base-url, default ${DEFAULT_BASE_URL}, e.g. Ollama's "qwen3:8b"), set ASSAY_MODEL, or --model-path FILE.gguf`,
      );
    }
    // An in-process model decodes greedily unless told otherwise; record what it will do rather
    // than null. Asked for several samples, the bundled model samples at a temperature of its
    // own, so that `--samples K` gives K different samples (GRPO groups with a spread).
    sampling.temperature ??=
      flags.modelPath === undefined && (options.samples ?? 1) > 1
        ? BUNDLED_MODEL_TEMPERATURE
        : IN_PROCESS_TEMPERATURE;
    sampling.top_p ??= 1;
    // The bundled model is so small that thread synchronisation costs more than it saves:
    // one thread runs it about ten times faster than llama.cpp's automatic choice here.
    const threads = flags.threads ?? (flags.modelPath === undefined ? 1 : undefined);
    const provider = createLlamaCppProvider({
      modelPath,
      toolFormat: flags.toolFormat,
      ...(threads === undefined ? {} : { threads }),
    });
    return { provider, sampling, recordTokens: flags.recordTokens };
  }
  const baseURL = flags.baseUrl ?? env.ASSAY_BASE_URL ?? DEFAULT_BASE_URL;
  const apiKey = flags.apiKey ?? env.ASSAY_API_KEY;
  const { createOpenAIProvider } = await import('../model/openai-provider.js');
  const provider = createOpenAIProvider({
    baseURL,
    model,
    toolFormat: flags.toolFormat,
    stream: flags.stream,
    timeoutMs: (flags.requestTimeout ?? 300) * 1000,
    ...(apiKey === undefined ? {} : { apiKey }),
  });
  return { provider, sampling, recordTokens: flags.recordTokens };
}
