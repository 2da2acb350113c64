import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../../core/errors.js';

/** `DIR/run.json`: what a run is, so that `--resume` continues the same run and no other. */
export const manifestSchema = z.looseObject({
  version: z.literal(1),
  run_id: z.string(),
  created_at: z.string(),
  suite: z.looseObject({ path: z.string(), sha256: z.string(), tasks: z.number() }),
  model: z.looseObject({ provider: z.string(), name: z.string(), base_url: z.string().nullable() }),
  arms: z.array(z.looseObject({ name: z.string(), tools: z.array(z.string()) })),
  samples: z.number().int().positive(),
  seed: z.number().int(),
  /** The sampling settings every episode asked for (null: the model's own default). */
  sampling: z
    .looseObject({
      temperature: z.number().nullable(),
      top_p: z.number().nullable(),
      max_tokens: z.number().int().nullable(),
    })
    .optional(),
});

export type RunManifest = z.infer<typeof manifestSchema>;

export async function readManifest(dir: string): Promise<RunManifest | null> {
  const path = join(dir, 'run.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError('INPUT_INVALID', `${path}: not valid JSON`, { cause: error });
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError('INPUT_INVALID', `${path}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

/** Refuses to resume a run with a different suite, arms, samples or model. */
export function checkResumable(saved: RunManifest, wanted: RunManifest, dir: string): void {
  const differences: string[] = [];
  if (saved.suite.sha256 !== wanted.suite.sha256) differences.push('the suite file changed');
  if (JSON.stringify(saved.arms) !== JSON.stringify(wanted.arms)) differences.push('--arms differ');
  if (saved.samples !== wanted.samples) differences.push(`--samples was ${saved.samples}`);
  if (saved.seed !== wanted.seed) differences.push(`--seed was ${saved.seed}`);
  if (saved.model.name !== wanted.model.name) differences.push(`the model was ${saved.model.name}`);
  if (differences.length > 0) {
    throw new UsageError(
      'USAGE',
      `cannot resume the run in ${dir}: ${differences.join('; ')}. Use the same settings, or another --out`,
    );
  }
}
