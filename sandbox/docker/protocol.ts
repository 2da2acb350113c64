import { z } from 'zod';

/**
 * The runner's replies. Everything coming out of a sandbox is untrusted (the code inside can
 * write to the reply channel), so replies are parsed strictly and sizes are bounded.
 */
const streamOutput = z.strictObject({
  head: z.string(),
  tail: z.string(),
  total_bytes: z.number().int().nonnegative(),
  dropped_bytes: z.number().int().nonnegative(),
});

const encodedFile = z.strictObject({
  name: z.string().max(200).optional(),
  path: z.string().max(4096).optional(),
  size: z.number().int().nonnegative().optional(),
  data: z.string(),
});

export const readyMessage = z.strictObject({
  type: z.literal('ready'),
  protocol: z.literal(1),
  python: z.string().max(100),
});

export const resultMessage = z.strictObject({
  type: z.literal('result'),
  id: z.number().int(),
  status: z.enum(['ok', 'error', 'timeout']),
  stdout: streamOutput,
  stderr: streamOutput,
  value: z.string().nullable(),
  error: z
    .strictObject({ type: z.string().max(200), message: z.string(), traceback: z.string() })
    .nullable(),
  figures: z.array(encodedFile).max(50),
  files: z.array(encodedFile).max(50),
  files_omitted: z
    .array(z.strictObject({ path: z.string().max(4096), size: z.number() }))
    .max(10_000),
  stopped_processes: z.number().int().nonnegative(),
  duration_ms: z.number().nonnegative(),
});

export const warmedMessage = z.strictObject({
  type: z.literal('warmed'),
  id: z.number().int(),
  modules: z.array(z.string()),
});

export const pongMessage = z.strictObject({ type: z.literal('pong'), id: z.number().int() });

export const errorMessage = z.strictObject({
  type: z.literal('error'),
  id: z.number().int().nullable().optional(),
  message: z.string(),
});

export type StreamOutput = z.infer<typeof streamOutput>;
export type ResultMessage = z.infer<typeof resultMessage>;
export type ReadyMessage = z.infer<typeof readyMessage>;

export const replyMessage = z.discriminatedUnion('type', [
  resultMessage,
  warmedMessage,
  pongMessage,
  errorMessage,
]);
export type ReplyMessage = z.infer<typeof replyMessage>;

export interface ExecRequest {
  type: 'exec';
  id: number;
  code: string;
  timeout_s: number;
  output_bytes: number;
}
