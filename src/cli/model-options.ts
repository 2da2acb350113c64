import { type Command, Option } from 'commander';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { createOpenAIProvider } from '../model/openai-provider.js';
import type { ModelProvider, Sampling, ToolFormat } from '../model/provider.js';
import { TOOL_FORMATS } from '../model/provider.js';
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

  if (flags.modelPath !== undefined) {
    throw new UsageError(
      'USAGE',
      `--model-path ${flags.modelPath}: in-process GGUF models are not available in this build yet; serve the model with llama.cpp's llama-server and use --model with --base-url`,
    );
  }
  const model = flags.model ?? env.ASSAY_MODEL;
  if (!model) {
    throw new UsageError(
      'MODEL_NOT_CONFIGURED',
      `no model named: pass --model NAME (a model served by an OpenAI-compatible server at --base-url, default ${DEFAULT_BASE_URL}, e.g. Ollama's "qwen3:8b") or set ASSAY_MODEL`,
    );
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
