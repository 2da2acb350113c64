import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import type { ModelProvider, Sampling, ToolFormat } from '../core/provider.js';
import { TOOL_FORMATS } from '../core/provider.js';
import { createLlamaCppProvider, defaultModelPath } from '../model/llama-cpp-provider.js';
import { createOpenAIProvider } from '../model/openai-provider.js';
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
    .option('--request-timeout <seconds>', 'timeout of one model request', '300')
    .option('--no-stream', 'ask the server for whole responses instead of a stream')
    .addOption(
      new Option('--tool-format <format>', 'how tool calls travel between assay and the model')
        .choices(TOOL_FORMATS)
        .default('auto'),
    );
}

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

const modelFlagsSchema = z.object({
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
  requestTimeout: numberFlag('request-timeout'),
  stream: z.boolean().default(true),
  toolFormat: z.enum(TOOL_FORMATS as [ToolFormat, ...ToolFormat[]]).default('auto'),
});

export interface ModelChoice {
  provider: ModelProvider;
  sampling: Sampling;
}

/** Turns the model flags (and their environment variables) into a provider and sampling. */
export function modelFromOptions(raw: Record<string, unknown>, env = process.env): ModelChoice {
  const flags = parseOptions(modelFlagsSchema, raw);
  const sampling: Sampling = {};
  if (flags.temperature !== undefined) sampling.temperature = flags.temperature;
  if (flags.topP !== undefined) sampling.top_p = flags.topP;
  if (flags.seed !== undefined) sampling.seed = Math.trunc(flags.seed);
  if (flags.maxTokens !== undefined) sampling.max_tokens = Math.trunc(flags.maxTokens);

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
    // No model named at all: the bundled tiny model, offline (a demonstration, not an assistant).
    const modelPath = resolve(flags.modelPath ?? defaultModelPath());
    if (flags.modelPath === undefined && !existsSync(modelPath)) {
      throw new UsageError(
        'MODEL_NOT_CONFIGURED',
        `no model named: pass --model NAME (a model served by an OpenAI-compatible server at --base-url, default ${DEFAULT_BASE_URL}, e.g. Ollama's "qwen3:8b"), set ASSAY_MODEL, or --model-path FILE.gguf`,
      );
    }
    // The bundled model is so small that thread synchronisation costs more than it saves:
    // one thread runs it about ten times faster than llama.cpp's automatic choice here.
    const threads = flags.threads ?? (flags.modelPath === undefined ? 1 : undefined);
    const provider = createLlamaCppProvider({
      modelPath,
      toolFormat: flags.toolFormat,
      ...(threads === undefined ? {} : { threads }),
    });
    return { provider, sampling };
  }
  const baseURL = flags.baseUrl ?? env.ASSAY_BASE_URL ?? DEFAULT_BASE_URL;
  const apiKey = flags.apiKey ?? env.ASSAY_API_KEY;
  const provider = createOpenAIProvider({
    baseURL,
    model,
    toolFormat: flags.toolFormat,
    stream: flags.stream,
    timeoutMs: (flags.requestTimeout ?? 300) * 1000,
    ...(apiKey === undefined ? {} : { apiKey }),
  });
  return { provider, sampling };
}
