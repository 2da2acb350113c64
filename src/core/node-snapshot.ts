/**
 * Node's start-up snapshot. isolated-vm needs `--no-node-snapshot` on Node 20 and later: made in
 * a process that started from the snapshot, an isolate may crash the process. Without the
 * snapshot Node starts about 80 ms slower, so assay's bin keeps it and only the commands that
 * may make isolates run again without it (src/cli/snapshot-rerun.ts).
 */

/** The flag that turns the snapshot off. */
export const NO_NODE_SNAPSHOT_FLAG = '--no-node-snapshot';

/**
 * Whether this process runs without Node's start-up snapshot: `--no-node-snapshot` among
 * Node's own flags (`process.execArgv`) or in `NODE_OPTIONS`.
 */
export function runsWithoutNodeSnapshot(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env['NODE_OPTIONS'],
): boolean {
  if (execArgv.includes(NO_NODE_SNAPSHOT_FLAG)) return true;
  return (nodeOptions ?? '').split(/\s+/).includes(NO_NODE_SNAPSHOT_FLAG);
}
