// Loaded with `node --import`: records the URL of every module the process resolves, one a
// line, in the file named by ASSAY_MODULE_LOG: ES modules through a resolve hook, CommonJS
// modules through `require` (which the ES hook does not see, e.g. a package's own requires).
// Used to prove what a command does not load. A process that runs the command again (the
// snapshot rerun) keeps this `--import`, so its modules are logged too.
import { appendFileSync } from 'node:fs';
import Module, { isBuiltin, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

function record(url) {
  const log = process.env.ASSAY_MODULE_LOG;
  if (log) appendFileSync(log, `${url}\n`);
}

// The same file is the loader hook (in the hooks thread) and what registers it (on the main one).
if (isMainThread) {
  register(import.meta.url);
  const require = Module.prototype.require;
  Module.prototype.require = function logged(id, ...rest) {
    const exports = require.call(this, id, ...rest);
    if (!isBuiltin(id)) {
      try {
        record(pathToFileURL(Module._resolveFilename(id, this)).href);
      } catch {
        // Resolved once already by the require above; nothing to record if it cannot again.
      }
    }
    return exports;
  };
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  record(resolved.url);
  return resolved;
}
