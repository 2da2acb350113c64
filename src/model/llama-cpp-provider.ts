import { randomUUID } from 'node:crypto';
import { basename, join } from 'node:path';
import type { LlamaContext, LlamaGrammar, LlamaModel } from 'node-llama-cpp';
import { AssayError, errorMessage, UsageError } from '../core/errors.js';
import { packageRoot } from '../core/package-root.js';
import type {
  ModelProvider,
  ModelRequest,
  ModelStep,
  ToolFormat,
  ToolSpec,
} from '../core/provider.js';
import { type GenerateOptions, generate } from './llama-cpp/generate.js';
import { toolCallGrammarSchema } from './llama-cpp/grammar-schema.js';
import { type PromptRenderer, pickRenderer, promptTokens } from './llama-cpp/prompt.js';
import { acquireModel, checkGgufFile, cpuLlama, releaseModel } from './llama-cpp/runtime.js';
import { sampleFirstAlone } from './llama-cpp/sampling-guard.js';
import { SequencePool } from './llama-cpp/sequence-pool.js';
import { textStep } from './llama-cpp/text-step.js';

type NodeLlamaCpp = typeof import('node-llama-cpp');

export interface LlamaCppProviderOptions {
  /** A GGUF model file. */
  modelPath: string;
  /** Tokens per sequence; default the model's training context, at most 4096. */
  contextSize?: number;
  /** CPU threads llama.cpp uses; default llama.cpp's choice. */
  threads?: number;
  /**
   * The dialect tool calls are parsed with; default `auto` (every dialect). `prompted` parses
   * the `<tool_call>` blocks the model is prompted for; `native` is refused (see textFormat).
   */
  toolFormat?: ToolFormat;
  /**
   * Constrain tool calls with a JSON-schema grammar: after the model writes `<tool_call>` and a
   * newline, only JSON naming an offered tool with arguments of its schema can follow.
   */
  grammar?: boolean;
  /** The model's name in traces; default the file's name. */
  name?: string;
  /** Episodes served at once (llama.cpp sequences in one context); default 4. */
  sequences?: number;
}

const DEFAULT_MAX_TOKENS = 1024;
const DEFAULT_SEQUENCES = 4;
const MAX_DEFAULT_CONTEXT = 4096;
const TOOL_CALL_TRIGGER = '<tool_call>\n';
const TOOL_CALL_SUFFIX = '\n</tool_call>';

/**
 * The dialect replies are parsed with. The model is prompted to write `<tool_call>` blocks
 * (the prompted format), so `prompted` parses those, `auto` tries every dialect as it does for
 * a server that returned no native calls, and a named dialect parses only its own markup.
 * There is no native tool-call channel in-process, so `native` is refused, never replaced.
 */
export function textFormat(format: ToolFormat): ToolFormat {
  if (format === 'native') {
    throw new UsageError(
      'USAGE',
      '--tool-format native: the in-process llama.cpp model has no native tool-call channel (it is prompted to write <tool_call> blocks); use auto, prompted, hermes, llama, mistral, pythonic or harmony',
      { details: { tool_format: format } },
    );
  }
  return format === 'prompted' ? 'hermes' : format;
}

function newCallId(): string {
  return `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
}

/** The tiny demonstration model that ships in the package. */
export function defaultModelPath(): string {
  return join(packageRoot(), 'src', 'model', 'llama-cpp', 'tiny-model', 'model.gguf');
}

interface Loaded {
  lib: NodeLlamaCpp;
  model: LlamaModel;
  context: LlamaContext;
  pool: SequencePool;
  renderer: PromptRenderer;
}

/**
 * A provider that runs a GGUF model in this process with llama.cpp (node-llama-cpp, CPU). The
 * file is checked now and loaded on the first step, once per process however many providers
 * use it. Prompts are rendered with the model's chat template, tools described in the system
 * turn, and tool calls parsed from the text with the dialect parsers.
 */
export function createLlamaCppProvider(options: LlamaCppProviderOptions): ModelProvider {
  const path = checkGgufFile(options.modelPath);
  // Importing the binding and getLlama's test of it in a child process take about 1.5 s of wall
  // time; started now, they overlap the rest of a run's setup (policy, tools, trace file). A
  // failure surfaces where the first step awaits the same promise.
  cpuLlama().catch(() => undefined);
  const parseFormat = textFormat(options.toolFormat ?? 'auto');
  let loading: Promise<Loaded> | undefined;
  let closed = false;
  const grammars = new Map<string, Promise<LlamaGrammar | null>>();

  function load(): Promise<Loaded> {
    loading ??= (async () => {
      const lib = await import('node-llama-cpp');
      const model = await acquireModel(path);
      try {
        const trained = model.trainContextSize;
        const context = await model.createContext({
          contextSize: options.contextSize ?? Math.min(trained, MAX_DEFAULT_CONTEXT),
          sequences: options.sequences ?? DEFAULT_SEQUENCES,
          ...(options.threads === undefined ? {} : { threads: options.threads }),
        });
        // Concurrent sequences' samplings race in llama.cpp; see sampling-guard.ts.
        sampleFirstAlone(context);
        return {
          lib,
          model,
          context,
          pool: new SequencePool(context),
          renderer: pickRenderer(lib, model),
        };
      } catch (error) {
        await releaseModel(path);
        throw new UsageError('INPUT_INVALID', `model file ${path}: ${errorMessage(error)}`, {
          details: { path },
          cause: error,
        });
      }
    })();
    return loading;
  }

  function toolGrammar(tools: readonly ToolSpec[]): Promise<LlamaGrammar | null> {
    const key = JSON.stringify(tools.map((t) => [t.name, t.parameters]));
    let grammar = grammars.get(key);
    if (!grammar) {
      // A schema outside the grammar compiler's subset leaves calls unconstrained, not broken.
      grammar = cpuLlama()
        .then((llama) => llama.createGrammarForJsonSchema(toolCallGrammarSchema(tools) as never))
        .then((g) => g as LlamaGrammar)
        .catch(() => null);
      grammars.set(key, grammar);
    }
    return grammar;
  }

  async function step(request: ModelRequest): Promise<ModelStep> {
    if (closed) throw new AssayError('INTERNAL', 'the llama-cpp provider is closed');
    const loaded = await load();
    const { tokens, stops } = promptTokens(
      loaded.lib,
      loaded.model,
      loaded.renderer,
      request.messages,
      request.tools,
    );
    const grammar =
      options.grammar && request.tools.length > 0 ? await toolGrammar(request.tools) : null;
    const sampling = request.sampling;
    const generateOptions: GenerateOptions = {
      tokens,
      maxTokens: sampling.max_tokens ?? DEFAULT_MAX_TOKENS,
      temperature: sampling.temperature ?? 0,
      topP: sampling.top_p ?? 1,
      seed: sampling.seed ?? 0,
      stops,
      signal: request.signal,
      logprobs: request.recordTokens === true,
      toolGrammar: grammar
        ? { trigger: TOOL_CALL_TRIGGER, grammar, suffix: TOOL_CALL_SUFFIX }
        : undefined,
    };
    const sequence = await loaded.pool.acquire(request.signal);
    let result: Awaited<ReturnType<typeof generate>>;
    try {
      result = await generate(loaded.lib, loaded.model, sequence, generateOptions);
    } finally {
      loaded.pool.release(sequence);
    }
    const base: ModelStep = {
      text: result.text,
      reasoning: null,
      toolCalls: [],
      toolCallSource: null,
      dialect: null,
      usage: { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens },
      finishReason: result.finishReason,
      raw: { text: result.text, grammar: result.grammarUsed },
      // llama.cpp in process: the exact ids, and each sampled token's probability as read
      // from the sampler.
      ...(request.recordTokens === true
        ? {
            tokens: {
              prompt_ids: [...tokens],
              completion_ids: result.completionIds,
              logprobs: result.logprobs,
            },
          }
        : {}),
    };
    return textStep(base, request.tools, parseFormat, newCallId);
  }

  return {
    info: { provider: 'llama-cpp', name: options.name ?? basename(path), base_url: null },
    step,
    async close() {
      if (closed) return;
      closed = true;
      if (!loading) return;
      const loaded = await loading.catch(() => null);
      if (!loaded) return;
      await loaded.context.dispose();
      await releaseModel(path);
    },
  };
}
