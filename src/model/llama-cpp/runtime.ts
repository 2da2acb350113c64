import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Llama, LlamaLogLevel, LlamaModel, LlamaOptions } from 'node-llama-cpp';
import { errorMessage, UsageError } from '../../core/errors.js';
import { testedLlama } from './tested-binding.js';

let llamaPromise: Promise<Llama> | undefined;

/** The options the process's binding is loaded with. */
export const CPU_LLAMA_OPTIONS: LlamaOptions = {
  gpu: false,
  build: 'never',
  progressLogs: false,
  logLevel: 'error' as LlamaLogLevel,
};

/**
 * The process's llama.cpp binding, CPU only, from the prebuilt binary that ships in the npm
 * package: never downloaded or built at run time, so it works offline. getLlama's test of the
 * binary runs once per machine (see tested-binding.ts).
 */
export function cpuLlama(): Promise<Llama> {
  llamaPromise ??= import('node-llama-cpp').then((lib) => testedLlama(lib, CPU_LLAMA_OPTIONS));
  return llamaPromise;
}

interface CachedModel {
  model: Promise<LlamaModel>;
  users: number;
}

const models = new Map<string, CachedModel>();

/**
 * Checks that `path` is a readable GGUF file before anything loads it, so a wrong path or a
 * file of another kind is a usage error that names the file.
 */
export function checkGgufFile(path: string): string {
  const full = resolve(path);
  let size: number;
  try {
    const stat = statSync(full);
    if (!stat.isFile()) throw new Error('not a regular file');
    size = stat.size;
  } catch (error) {
    throw new UsageError('FILE_NOT_FOUND', `model file ${full} not found or not readable`, {
      details: { path: full },
      cause: error,
    });
  }
  const magic = Buffer.alloc(4);
  const fd = openSync(full, 'r');
  try {
    readSync(fd, magic, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  if (size < 24 || magic.toString('latin1') !== 'GGUF') {
    throw new UsageError('INPUT_INVALID', `model file ${full} is not a GGUF file`, {
      details: { path: full },
    });
  }
  return full;
}

/** Loads a GGUF once per process; every user shares it and the last release disposes it. */
export function acquireModel(path: string): Promise<LlamaModel> {
  const cached = models.get(path);
  if (cached) {
    cached.users++;
    return cached.model;
  }
  const model = cpuLlama()
    .then((llama) => llama.loadModel({ modelPath: path }))
    .catch((error: unknown) => {
      models.delete(path);
      throw new UsageError(
        'INPUT_INVALID',
        `model file ${path} could not be loaded: ${errorMessage(error)}`,
        {
          details: { path },
          cause: error,
        },
      );
    });
  models.set(path, { model, users: 1 });
  return model;
}

export async function releaseModel(path: string): Promise<void> {
  const cached = models.get(path);
  if (!cached) return;
  cached.users--;
  if (cached.users > 0) return;
  models.delete(path);
  const model = await cached.model.catch(() => null);
  await model?.dispose();
}
