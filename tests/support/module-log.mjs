// Loaded with `node --import`: records the URL of every module the process resolves, one a
// line, in the file named by ASSAY_MODULE_LOG. Used to prove what a command does not load.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

// The same file is the loader hook (in the hooks thread) and what registers it (on the main one).
if (isMainThread) register(import.meta.url);

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const log = process.env.ASSAY_MODULE_LOG;
  if (log) appendFileSync(log, `${resolved.url}\n`);
  return resolved;
}
