import { errorMessage } from '../../src/core/errors.js';
import type { DockerEngine } from './engine.js';
import { isOwnerAlive, LABEL_PID, MANAGED_FILTER } from './labels.js';

export interface ReapResult {
  /** Ids of the containers removed. */
  removed: string[];
  /** Containers whose owner is gone but that could not be removed, with the reason. */
  failed: { id: string; reason: string }[];
}

/**
 * Removes the containers of assay processes that no longer run (a `kill -9`'d run, a crash).
 * Containers of live processes, this one included, are left alone.
 */
export async function reapOrphans(engine: DockerEngine, signal?: AbortSignal): Promise<ReapResult> {
  const containers = await engine.listContainers([MANAGED_FILTER], { signal });
  const orphans = containers.filter((c) => !isOwnerAlive(c.Labels ?? {}));
  const result: ReapResult = { removed: [], failed: [] };
  await Promise.all(
    orphans.map(async (c) => {
      try {
        await engine.removeContainer(c.Id, { signal });
        result.removed.push(c.Id);
      } catch (error) {
        result.failed.push({ id: c.Id, reason: errorMessage(error) });
      }
    }),
  );
  return result;
}

/** Removes every container this process created; used on exit signals and in tests. */
export async function reapOwn(engine: DockerEngine, signal?: AbortSignal): Promise<string[]> {
  const containers = await engine.listContainers([MANAGED_FILTER, `${LABEL_PID}=${process.pid}`], {
    signal,
  });
  await Promise.all(
    containers.map((c) => engine.removeContainer(c.Id, { signal }).catch(() => undefined)),
  );
  return containers.map((c) => c.Id);
}
