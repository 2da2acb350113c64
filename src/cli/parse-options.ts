import type { z } from 'zod';
import { UsageError } from '../core/errors.js';

/** Validates parsed command-line options; errors name the flag that is wrong. */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => {
    const flag =
      issue.path.length > 0
        ? `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
        : '';
    return issue.message.startsWith('--') || flag === ''
      ? issue.message
      : `${flag}: ${issue.message}`;
  });
  throw new UsageError('USAGE', issues.join('; '));
}
