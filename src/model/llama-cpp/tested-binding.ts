import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, hostname, release } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Llama, LlamaOptions } from 'node-llama-cpp';
import { writeJsonAtomic } from '../../core/atomic-file.js';
import { defaultCacheDir } from '../../core/cache-dir.js';
import { isPlainObject, safeJsonParse } from '../../core/json.js';

type NodeLlamaCpp = typeof import('node-llama-cpp');

/**
 * On Linux, `getLlama` tests the prebuilt binary in a forked Node process before loading it,
 * at every start (about 0.9 s of an episode with the bundled model). assay records a pass here
 * and, while the same binary, Node and machine are in use, loads the binary the way `getLlama`
 * does after a pass, through node-llama-cpp's internal `Llama._create`. That internal, and the
 * options `getLlama` gives it, belong to this exact version, which package.json pins.
 */
export const MIRRORED_VERSION = '3.21.1';

export const RECORD_FILE = 'llama-binding-tested.json';

/** What must be the same as when the binary passed `getLlama`'s test. */
interface Fingerprint {
  node_llama_cpp: string;
  /** The options given, as JSON (functions left out): other options may pick another binary. */
  options: string;
  binding_path: string;
  binding_size: number;
  binding_mtime_ms: number;
  platform: string;
  arch: string;
  node: string;
  node_abi: string;
  kernel: string;
  cpu: string;
  host: string;
}

/** The record: the fingerprint, and what `getLlama` gave `Llama._create` besides options. */
export interface TestedBindingRecord extends Fingerprint {
  ext_backends_path: string | null;
  build_metadata: Record<string, unknown>;
}

/** The arguments `getLlama` passes `Llama._create` for a prebuilt binary (getLlama.js). */
interface CreateArguments {
  bindings: unknown;
  bindingPath: string;
  extBackendsPath: string | undefined;
  buildType: 'prebuilt' | 'localBuild';
  buildMetadata: Record<string, unknown>;
  logLevel: unknown;
  logger: unknown;
  maxThreads: number | undefined;
  vramPadding: unknown;
  ramPadding: unknown;
  skipLlamaInit: boolean;
  debug: unknown;
  numa: unknown;
  tempDir: unknown;
  experimentalOptions: unknown;
}

type CreateLlama = (args: CreateArguments) => Promise<Llama>;

interface LlamaClass {
  _create?: CreateLlama;
  defaultConsoleLogger?: unknown;
}

/**
 * The process's Llama for `options` (which must not ask for a build or a GPU): from the
 * record when it matches, else from `getLlama`, whose pass is then recorded.
 */
export async function testedLlama(
  lib: NodeLlamaCpp,
  options: LlamaOptions,
  recordPath: string = join(defaultCacheDir(), RECORD_FILE),
): Promise<Llama> {
  const version = installedVersion();
  const mirrored = process.platform === 'linux' && version === MIRRORED_VERSION;
  if (mirrored) {
    const record = readRecord(recordPath);
    if (
      record &&
      sameFingerprint(record, fingerprint(record.binding_path, version, options)) &&
      !otherBinaryFirst(record.binding_path)
    ) {
      const llama = await createFromRecord(lib, options, record).catch(() => null);
      if (llama) return llama;
    }
  }
  const Llama = lib.Llama as unknown as LlamaClass;
  const original = Llama._create;
  let created: CreateArguments | undefined;
  if (mirrored && typeof original === 'function') {
    // Only to learn which binary getLlama loads and its build metadata; restored at once.
    Llama._create = (args) => {
      created = args;
      return original.call(Llama, args);
    };
  }
  let llama: Llama;
  try {
    llama = await lib.getLlama(options);
  } finally {
    if (mirrored && typeof original === 'function') Llama._create = original;
  }
  if (created && created.buildType === 'prebuilt' && version !== undefined) {
    await writeRecord(recordPath, created, version, options).catch(() => undefined);
  }
  return llama;
}

/**
 * True when getLlama may look at another binary before the recorded one: a local build (a
 * folder in `node-llama-cpp/llama/localBuilds`), or a binary downloaded into a folder of
 * `node-llama-cpp/bins` (which the package ships holding only `.moved.txt` notes).
 */
function otherBinaryFirst(bindingPath: string): boolean {
  try {
    const root = join(dirname(createRequire(import.meta.url).resolve('node-llama-cpp')), '..');
    const localBuilds = join(root, 'llama', 'localBuilds');
    const bins = join(root, 'bins');
    if (folders(localBuilds) > 0) return true;
    return folders(bins) > 0 && !bindingPath.startsWith(bins + sep);
  } catch {
    return true;
  }
}

function folders(dir: string): number {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => !e.isFile()).length;
  } catch {
    return 0;
  }
}

/** The version of the installed node-llama-cpp, read from its package.json. */
function installedVersion(): string | undefined {
  try {
    const index = createRequire(import.meta.url).resolve('node-llama-cpp');
    const pkg = JSON.parse(readFileSync(join(dirname(index), '..', 'package.json'), 'utf8')) as {
      name?: string;
      version?: string;
    };
    return pkg.name === 'node-llama-cpp' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

function fingerprint(
  bindingPath: string,
  version: string,
  options: LlamaOptions,
): Fingerprint | null {
  try {
    const stat = statSync(bindingPath);
    return {
      node_llama_cpp: version,
      options: JSON.stringify(options),
      binding_path: bindingPath,
      binding_size: stat.size,
      binding_mtime_ms: stat.mtimeMs,
      platform: process.platform,
      arch: process.arch,
      node: process.version,
      node_abi: process.versions.modules,
      kernel: release(),
      cpu: cpus()[0]?.model ?? '',
      host: hostname(),
    };
  } catch {
    return null;
  }
}

const FINGERPRINT_KEYS: readonly (keyof Fingerprint)[] = [
  'node_llama_cpp',
  'options',
  'binding_path',
  'binding_size',
  'binding_mtime_ms',
  'platform',
  'arch',
  'node',
  'node_abi',
  'kernel',
  'cpu',
  'host',
];

function sameFingerprint(record: TestedBindingRecord, now: Fingerprint | null): boolean {
  return now !== null && FINGERPRINT_KEYS.every((key) => record[key] === now[key]);
}

function readRecord(path: string): TestedBindingRecord | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const parsed = safeJsonParse(text);
  if (!parsed.ok || !isPlainObject(parsed.value)) return null;
  const value = parsed.value;
  for (const key of FINGERPRINT_KEYS) {
    const expected = key === 'binding_size' || key === 'binding_mtime_ms' ? 'number' : 'string';
    if (typeof value[key] !== expected) return null;
  }
  const ext = value['ext_backends_path'];
  if (ext !== null && typeof ext !== 'string') return null;
  if (!isPlainObject(value['build_metadata'])) return null;
  return value as unknown as TestedBindingRecord;
}

async function writeRecord(
  path: string,
  args: CreateArguments,
  version: string,
  options: LlamaOptions,
): Promise<void> {
  const now = fingerprint(args.bindingPath, version, options);
  if (!now) return;
  const record: TestedBindingRecord = {
    ...now,
    ext_backends_path: args.extBackendsPath ?? null,
    build_metadata: args.buildMetadata,
  };
  mkdirSync(dirname(path), { recursive: true });
  await writeJsonAtomic(path, record);
}

/** The defaults getLlama.js and config.js give options left out, from the same modules. */
interface Defaults {
  vramPadding: unknown;
  ramPadding: unknown;
  logLevel: unknown;
  debug: unknown;
}

async function libraryDefaults(): Promise<Defaults> {
  const index = createRequire(import.meta.url).resolve('node-llama-cpp');
  const dist = dirname(index);
  // The modules the index already loaded (same URLs), so the same functions and values.
  const getLlamaModule = (await import(
    pathToFileURL(join(dist, 'bindings', 'getLlama.js')).href
  )) as Record<string, unknown>;
  const config = (await import(pathToFileURL(join(dist, 'config.js')).href)) as Record<
    string,
    unknown
  >;
  const defaults: Defaults = {
    vramPadding: getLlamaModule['defaultLlamaVramPadding'],
    ramPadding: getLlamaModule['defaultLlamaRamPadding'],
    logLevel: config['defaultLlamaCppLogLevel'],
    debug: config['defaultLlamaCppDebugMode'],
  };
  if (typeof defaults.vramPadding !== 'function' || typeof defaults.ramPadding !== 'function') {
    throw new Error('node-llama-cpp internals differ from the mirrored version');
  }
  return defaults;
}

/**
 * Loads the recorded binary and makes the Llama as getLlama's `loadExistingLlamaBinary` does
 * for a prebuilt binary that passed its test, with each option resolved as
 * `getLlamaForOptions` resolves it (a null or missing option takes the library's default).
 */
async function createFromRecord(
  lib: NodeLlamaCpp,
  options: LlamaOptions,
  record: TestedBindingRecord,
): Promise<Llama | null> {
  if (options.gpu !== false || options.build !== 'never' || options.dryRun === true) return null;
  const Llama = lib.Llama as unknown as LlamaClass;
  const create = Llama._create;
  if (typeof create !== 'function') return null;
  const defaults = await libraryDefaults();
  const bindings = loadBindingModule(record.binding_path);
  return create.call(Llama, {
    bindings,
    bindingPath: record.binding_path,
    extBackendsPath: record.ext_backends_path ?? undefined,
    buildType: 'prebuilt',
    buildMetadata: record.build_metadata,
    logLevel: options.logLevel ?? defaults.logLevel,
    logger: options.logger ?? Llama.defaultConsoleLogger,
    maxThreads: options.maxThreads,
    vramPadding: options.vramPadding ?? defaults.vramPadding,
    ramPadding: options.ramPadding ?? defaults.ramPadding,
    skipLlamaInit: false,
    debug: options.debug ?? defaults.debug,
    numa: options.numa ?? false,
    tempDir: (options as { tempDir?: unknown }).tempDir ?? false,
    experimentalOptions: options.experimental,
  });
}

/** getLlama.js's `loadBindingModule`: a fresh instance of the addon for each Llama. */
function loadBindingModule(path: string): unknown {
  const require = createRequire(import.meta.url);
  const forget = (): void => {
    try {
      delete require.cache[require.resolve(path)];
    } catch {
      // not cached
    }
  };
  forget();
  try {
    return require(path);
  } finally {
    forget();
  }
}
