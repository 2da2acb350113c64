import { rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { Task } from '../eval/task-schema.js';
import type { SetExit } from './commands.js';

// Each importer (and the suite schema) loads when it runs, not for `--help`.
const IMPORTERS = {
  gsm8k: async () => (await import('../eval/importers/gsm8k.js')).importGsm8k,
  math500: async () => (await import('../eval/importers/math500.js')).importMath500,
} as const;

interface ImportFlags {
  out?: string;
  limit?: number;
  seed?: number | string;
  instruction: boolean;
}

/** `assay suites import gsm8k|math500 FILE` and `assay suites validate FILE`. */
export function registerSuitesCommand(program: Command, setExit: SetExit): void {
  const suites = program.command('suites').description('import and check task suites (JSONL)');
  suites
    .command('import')
    .description('turn a GSM8K or MATH-500 file into a suite (JSONL on stdout, or --out)')
    .argument('<format>', 'gsm8k, math500 or swe-bench')
    .argument('<file>', 'the dataset file (JSONL)')
    .option('--out <file>', 'write the suite here instead of stdout')
    .option('--repos <dir>', 'swe-bench: the folder of local clones (no network is used)')
    .option('--limit <n>', 'keep only n tasks (the first n, or a random sample with --seed)')
    .option('--seed <seed>', 'take a random sample of --limit tasks, reproducible for the seed')
    .option('--no-instruction', 'keep the questions as they are (default: ask for \\boxed{})')
    .action(async (format: string, file: string, raw: Record<string, unknown>) => {
      setExit(await importCommand(format, file, raw));
    });
  suites
    .command('validate')
    .description('check every line of a suite; errors name the file, line and field')
    .argument('<file>', 'the suite (JSONL)')
    .action(async (file: string) => {
      const { loadSuite } = await import('../eval/suite.js');
      const suite = await loadSuite(file);
      process.stdout.write(`${file}: ok, ${describeTasks(suite.tasks)}\n`);
      setExit(0);
    });
}

async function importCommand(
  format: string,
  file: string,
  raw: Record<string, unknown>,
): Promise<number> {
  if (format === 'swe-bench') return importSweBenchCommand(file, raw);
  if (!Object.hasOwn(IMPORTERS, format)) {
    throw new UsageError(
      'USAGE',
      `unknown dataset format "${format}"; use ${Object.keys(IMPORTERS).join(', ')} or swe-bench`,
    );
  }
  const flags = importFlags(raw);
  const importer = await IMPORTERS[format as keyof typeof IMPORTERS]();
  const tasks = await importer(file, flags.instruction ? {} : { instruction: null });
  const { sampleItems } = await import('../eval/importers/sample.js');
  const picked = sampleItems(tasks, {
    ...(flags.limit === undefined ? {} : { limit: flags.limit }),
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
  });
  const text = picked.map((task) => JSON.stringify(task)).join('\n');
  if (flags.out === undefined) {
    process.stdout.write(`${text}\n`);
  } else {
    const temporary = `${flags.out}.${process.pid}.tmp`;
    await writeFile(temporary, `${text}\n`, 'utf8');
    await rename(temporary, flags.out);
    process.stderr.write(`wrote ${picked.length} tasks to ${flags.out}\n`);
  }
  return 0;
}

/** Reads the import flags; a numeric seed is a number, anything else a string seed. */
function importFlags(raw: Record<string, unknown>): ImportFlags {
  const flags: ImportFlags = { instruction: raw['instruction'] !== false };
  if (typeof raw['out'] === 'string') flags.out = raw['out'];
  if (raw['limit'] !== undefined) {
    const text = String(raw['limit']);
    if (!/^\d+$/.test(text) || Number(text) < 1)
      throw new UsageError('USAGE', '--limit: must be a positive integer');
    flags.limit = Number(text);
  }
  if (typeof raw['seed'] === 'string')
    flags.seed = /^\d+$/.test(raw['seed']) ? Number(raw['seed']) : raw['seed'];
  return flags;
}

/** `20 tasks (verifiers: math 20; tags: gsm8k 20)`. */
function describeTasks(tasks: readonly Task[]): string {
  const verifiers = countBy(tasks.map((t) => t.verifier));
  const tags = countBy(tasks.flatMap((t) => t.tags));
  const tagText = tags.length === 0 ? '' : `; tags: ${tags.join(', ')}`;
  return `${tasks.length} task${tasks.length === 1 ? '' : 's'} (verifiers: ${verifiers.join(', ')}${tagText})`;
}

function countBy(values: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, count]) => `${value} ${count}`);
}

/** SWE-bench rows need local clones and write one `.tar` per task next to the suite. */
async function importSweBenchCommand(file: string, raw: Record<string, unknown>): Promise<number> {
  const repos = raw['repos'];
  const out = raw['out'];
  if (typeof repos !== 'string' || typeof out !== 'string')
    throw new UsageError('USAGE', 'suites import swe-bench needs --repos DIR and --out FILE');
  const suiteDir = dirname(resolve(out));
  const { importSweBench } = await import('../eval/importers/swe-bench.js');
  const tasks = await importSweBench(resolve(file), {
    reposDir: resolve(repos),
    suiteDir,
    workspacesDir: join(suiteDir, `${basename(out).replace(/\.jsonl?$/, '')}-workspaces`),
  });
  const temporary = `${out}.${process.pid}.tmp`;
  await writeFile(temporary, `${tasks.map((t) => JSON.stringify(t)).join('\n')}\n`, 'utf8');
  await rename(temporary, out);
  process.stderr.write(`wrote ${tasks.length} tasks to ${out}\n`);
  return 0;
}
