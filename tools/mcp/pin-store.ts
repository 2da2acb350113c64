import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../../src/core/atomic-file.js';
import { defaultCacheDir } from '../../src/core/cache-dir.js';
import { UsageError } from '../../src/core/errors.js';

const pinFileSchema = z.strictObject({
  version: z.literal(1),
  /** The `--mcp` file these pins were first taken for (informative). */
  config: z.string().optional(),
  /** Definition hashes by server name, then by the server's own tool name. */
  servers: z.record(z.string(), z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/))),
});

type PinFile = z.infer<typeof pinFileSchema>;

/**
 * Definition pins that outlive one run: the hash of each MCP tool's definition when assay first
 * saw it, so that a server whose tool changed between two runs (a rug pull after approval) is
 * caught on the next run too, not only when it changes mid-run. A pin is only ever added,
 * never replaced: to accept a new definition, delete its line (or the file).
 */
export class McpPinStore {
  readonly path: string;
  readonly #file: PinFile;
  #dirty = false;

  private constructor(path: string, file: PinFile) {
    this.path = path;
    this.#file = file;
  }

  /** Reads the pins file; a missing file is an empty store, a malformed one an error naming it. */
  static async open(path: string, config?: string): Promise<McpPinStore> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const servers: PinFile['servers'] = Object.create(null);
      return new McpPinStore(path, { version: 1, ...(config ? { config } : {}), servers });
    }
    let parsed: PinFile;
    try {
      parsed = pinFileSchema.parse(JSON.parse(text));
    } catch (error) {
      const why =
        error instanceof z.ZodError
          ? error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
          : String(error);
      throw new UsageError('INPUT_INVALID', `--mcp-pins: ${path} is not an MCP pins file: ${why}`, {
        cause: error,
      });
    }
    return new McpPinStore(path, parsed);
  }

  /** The pinned hash of a tool, if one was taken in an earlier run. */
  get(server: string, tool: string): string | undefined {
    const tools = this.#file.servers[server];
    return tools !== undefined && Object.hasOwn(tools, tool) ? tools[tool] : undefined;
  }

  /** Pins a tool seen for the first time; an existing pin is kept. */
  add(server: string, tool: string, hash: string): void {
    if (this.get(server, tool) !== undefined) return;
    if (!Object.hasOwn(this.#file.servers, server)) {
      this.#file.servers[server] = Object.create(null) as Record<string, string>;
    }
    (this.#file.servers[server] as Record<string, string>)[tool] = hash;
    this.#dirty = true;
  }

  /** Writes the pins when new ones were added: atomically, so a crash leaves old or new. */
  async save(): Promise<void> {
    if (!this.#dirty) return;
    await mkdir(dirname(this.path), { recursive: true });
    await writeJsonAtomic(this.path, this.#file);
    this.#dirty = false;
  }
}

/**
 * Where the pins of an `--mcp` file live when `--mcp-pins` does not say: under the cache
 * folder, keyed by the file's absolute path, so every project's config keeps its own pins.
 */
export function defaultPinsPath(configFile: string, env: NodeJS.ProcessEnv = process.env): string {
  const key = createHash('sha256').update(resolve(configFile)).digest('hex').slice(0, 16);
  return join(defaultCacheDir(env), 'mcp-pins', `${key}.json`);
}
