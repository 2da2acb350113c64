import { z } from 'zod';

/**
 * The workspace runner's replies. Everything coming out of the container is untrusted (the
 * agent's shell runs there), so replies are parsed strictly and sizes are bounded.
 */
export const workspaceReady = z.strictObject({
  type: z.literal('ready'),
  protocol: z.literal(1),
  python: z.string().max(100),
});
export type WorkspaceReady = z.infer<typeof workspaceReady>;

export const workspaceReply = z.strictObject({
  type: z.literal('reply'),
  id: z.number().int(),
  ok: z.boolean(),
  content: z.string(),
  code: z.string().max(100).nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
});
export type WorkspaceReply = z.infer<typeof workspaceReply>;

export const bashResult = z.strictObject({
  exit_code: z.number().int().nullable(),
  timed_out: z.boolean(),
  stdout: z.string(),
  stderr: z.string(),
  dropped_bytes: z.number().int().nonnegative(),
  cwd: z.string().max(4096),
  note: z.string(),
  duration_ms: z.number().nonnegative(),
});
export type BashResult = z.infer<typeof bashResult>;

export const uploadResult = z.strictObject({
  files: z.number().int().nonnegative(),
});

export const baseResult = z.strictObject({
  tree: z.string().regex(/^[0-9a-f]{40,64}$/),
});

export const diffResult = z.strictObject({
  /** The git tree of the copy as it arrived, and of the copy at the end. */
  base: z.string().regex(/^[0-9a-f]{40,64}$/),
  tree: z.string().regex(/^[0-9a-f]{40,64}$/),
  diff: z.string(),
  diff_bytes: z.number().int().nonnegative(),
  truncated: z.boolean(),
  files_changed: z.array(z.string().max(4096)).max(100_000),
  insertions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  /** New files past the per-file cap, left out of the diff by name and size. */
  omitted: z
    .array(z.strictObject({ path: z.string().max(4096), bytes: z.number().int().nonnegative() }))
    .max(100_000),
});
export type DiffResult = z.infer<typeof diffResult>;
