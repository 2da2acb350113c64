import { stat } from 'node:fs/promises';
import type { Workspace } from '../../sandbox/workspace/workspace.js';
import type { WorkspaceSession } from '../../sandbox/workspace/workspace-session.js';
import type { WorkspaceProvider } from '../../tools/workspace/index.js';
import { UsageError } from '../core/errors.js';
import type { TraceRecord } from '../trace/schema.js';
import { attachWorkspace, openRunWorkspace } from './workspace-run.js';

/** The workspaces of `mcp serve --workspace DIR`; DIR must be a folder (or a `.tar`) now. */
export async function openServeWorkspaces(
  dir: string,
  raw: Record<string, unknown>,
): Promise<ServeWorkspaces> {
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined || !(info.isDirectory() || (info.isFile() && dir.endsWith('.tar')))) {
    throw new UsageError('USAGE', `--workspace ${dir}: not a folder (or a .tar)`);
  }
  const image = typeof raw['image'] === 'string' ? raw['image'] : undefined;
  return new ServeWorkspaces(dir, image);
}

/**
 * `mcp serve --workspace DIR`: each MCP session gets its own copy of DIR in a fresh workspace
 * container, made at its first workspace call (a session that never uses the tools starts no
 * container). When the session ends its diff goes into its trace record, as `assay run
 * --workspace` records it, and the container is removed. DIR itself is only ever read.
 */
export class ServeWorkspaces {
  readonly #dir: string;
  readonly #image: string | undefined;
  readonly #open = new Map<string, Promise<Workspace>>();

  constructor(dir: string, image: string | undefined) {
    this.#dir = dir;
    this.#image = image;
  }

  /** What `toolsFromOptions` needs: the provider, and `workspace` as the default tools. */
  toolOptions(toolsExplicit: boolean): { workspace: WorkspaceProvider; defaultTools?: string } {
    return { workspace: this.provider, ...(toolsExplicit ? {} : { defaultTools: 'workspace' }) };
  }

  /** The workspace tools' provider: the session's workspace, opened on first use. */
  readonly provider = async (episodeId: string): Promise<WorkspaceSession> => {
    let opening = this.#open.get(episodeId);
    if (opening === undefined) {
      opening = openRunWorkspace(this.#dir, this.#image).then((opened) => opened.workspace);
      this.#open.set(episodeId, opening);
      // A copy that failed is tried again by the next call, not remembered as broken.
      opening.catch(() => this.#open.delete(episodeId));
    }
    return (await opening).session;
  };

  /** Adds the session's workspace diff to its record and removes its container. */
  async finish(record: TraceRecord, tracePath: string): Promise<TraceRecord> {
    const opening = this.#open.get(record.trace_id);
    if (opening === undefined) return record;
    this.#open.delete(record.trace_id);
    const workspace = await opening.catch(() => null);
    if (workspace === null) return record;
    try {
      return await attachWorkspace(record, workspace, tracePath);
    } finally {
      await workspace.close();
    }
  }

  /** Removes the containers of sessions that never finished (the server is stopping). */
  async closeAll(): Promise<void> {
    const all = [...this.#open.values()];
    this.#open.clear();
    await Promise.allSettled(all.map(async (opening) => (await opening).close()));
  }
}
