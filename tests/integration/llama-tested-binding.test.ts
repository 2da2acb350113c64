import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Llama, LlamaOptions } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CPU_LLAMA_OPTIONS } from '../../src/model/llama-cpp/runtime.js';
import {
  RECORD_FILE,
  type TestedBindingRecord,
  testedLlama,
} from '../../src/model/llama-cpp/tested-binding.js';
import { defaultModelPath } from '../../src/model/llama-cpp-provider.js';

type NodeLlamaCpp = typeof import('node-llama-cpp');
type CreateArgs = Record<string, unknown>;

let lib: NodeLlamaCpp;
const dir = mkdtempSync(join(tmpdir(), 'assay-binding-'));
const recordPath = join(dir, 'cache', RECORD_FILE);
let getLlamaCalls = 0;

/** The library with `getLlama` counted; `Llama` (and its `_create`) is the real one. */
let counting: NodeLlamaCpp;

beforeAll(async () => {
  lib = await import('node-llama-cpp');
  counting = {
    ...lib,
    getLlama: ((options: LlamaOptions) => {
      getLlamaCalls++;
      return lib.getLlama(options);
    }) as NodeLlamaCpp['getLlama'],
  };
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs testedLlama, returning the Llama and the arguments `Llama._create` was given. */
async function load(): Promise<{ llama: Llama; args: CreateArgs }> {
  const Llama = lib.Llama as unknown as { _create: (args: CreateArgs) => Promise<Llama> };
  const original = Llama._create;
  let args: CreateArgs | undefined;
  Llama._create = (a) => {
    args = a;
    return original.call(Llama, a);
  };
  try {
    const llama = await testedLlama(counting, CPU_LLAMA_OPTIONS, recordPath);
    return { llama, args: args! };
  } finally {
    Llama._create = original;
  }
}

function readRecord(): TestedBindingRecord {
  return JSON.parse(readFileSync(recordPath, 'utf8')) as TestedBindingRecord;
}

/** Greedy text of the bundled model on one prompt, to compare two Llamas' results. */
async function greedy(llama: Llama): Promise<string> {
  const model = await llama.loadModel({ modelPath: defaultModelPath() });
  try {
    const context = await model.createContext({ contextSize: 512, threads: 1 });
    const sequence = context.getSequence();
    const tokens = model.tokenize('<|im_start|>user\nWhat is 111 * 222?<|im_end|>\n');
    const out = [];
    for await (const token of sequence.evaluate(tokens, { temperature: 0 })) {
      out.push(token);
      if (out.length >= 24 || model.isEogToken(token)) break;
    }
    await context.dispose();
    return model.detokenize(out);
  } finally {
    await model.dispose();
  }
}

describe("getLlama's binary test once per machine", () => {
  let first: { llama: Llama; args: CreateArgs };
  let second: { llama: Llama; args: CreateArgs };

  it('tests through getLlama on the first run and records the pass', async () => {
    first = await load();
    expect(getLlamaCalls).toBe(1);
    const record = readRecord();
    expect(record.binding_path).toBe(first.args['bindingPath']);
    expect(record.binding_path).toMatch(/llama-addon\.node$/);
    expect(record.host).toBe(hostname());
    expect(record.node_abi).toBe(process.versions.modules);
    expect(record.build_metadata).toEqual(first.args['buildMetadata']);
  });

  it('loads the recorded binary without getLlama on the next run, with the same options', async () => {
    second = await load();
    expect(getLlamaCalls).toBe(1);
    // Every argument getLlama gave Llama._create, the same: the functions (logger, paddings)
    // are the library's own, the addon is a fresh instance as getLlama loads it.
    expect(Object.keys(second.args).sort()).toEqual(Object.keys(first.args).sort());
    for (const [key, value] of Object.entries(first.args)) {
      if (key === 'bindings') continue;
      if (typeof value === 'function' || typeof value !== 'object' || value === null) {
        expect(second.args[key], key).toBe(value);
      } else {
        expect(second.args[key], key).toEqual(value);
      }
    }
    expect(second.args['bindings']).not.toBe(first.args['bindings']);
    const settings = (llama: Llama) => ({
      gpu: llama.gpu,
      buildType: llama.buildType,
      cmakeOptions: llama.cmakeOptions,
      llamaCppRelease: llama.llamaCppRelease,
      cpuMathCores: llama.cpuMathCores,
      maxThreads: llama.maxThreads,
      logLevel: llama.logLevel,
      supportsMmap: llama.supportsMmap,
      systemInfo: llama.systemInfo,
    });
    expect(settings(second.llama)).toEqual(settings(first.llama));
    expect(await greedy(second.llama)).toBe(await greedy(first.llama));
  });

  it('goes through getLlama again when a field of the record differs, and records anew', async () => {
    await first.llama.dispose();
    await second.llama.dispose();
    const record = readRecord();
    writeFileSync(recordPath, JSON.stringify({ ...record, host: `${record.host}-elsewhere` }));
    const third = await load();
    expect(getLlamaCalls).toBe(2);
    expect(readRecord().host).toBe(hostname());
    await third.llama.dispose();

    writeFileSync(recordPath, JSON.stringify({ ...record, binding_size: record.binding_size + 1 }));
    const fourth = await load();
    expect(getLlamaCalls).toBe(3);
    expect(readRecord().binding_size).toBe(record.binding_size);
    await fourth.llama.dispose();
  });

  it('goes through getLlama when the record is unreadable', async () => {
    writeFileSync(recordPath, '{"binding_path": ');
    const fifth = await load();
    expect(getLlamaCalls).toBe(4);
    expect(readRecord().binding_path).toBe(fifth.args['bindingPath']);
    await fifth.llama.dispose();
  });
});
