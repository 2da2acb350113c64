import { createHash } from 'node:crypto';
import { UsageError } from '../../src/core/errors.js';

/** What OpenAI, Bedrock and most local servers accept as a function name. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

const MAX_LENGTH = 64;
const HASH_LENGTH = 8;

/**
 * The name assay gives an MCP server's tool: `mcp__<server>__<tool>`, other characters mapped to
 * `_`, and a name past 64 characters cut with a short hash of the full name so that it stays
 * unique and stable across runs (traces are training data).
 */
export function mcpToolName(server: string, tool: string): string {
  const full = `mcp__${sanitize(server)}__${sanitize(tool)}`;
  if (full.length <= MAX_LENGTH) return full;
  const hash = createHash('sha256')
    .update(`${server}\0${tool}`)
    .digest('hex')
    .slice(0, HASH_LENGTH);
  return `${full.slice(0, MAX_LENGTH - HASH_LENGTH - 1)}_${hash}`;
}

function sanitize(part: string): string {
  const clean = part.replace(/[^a-zA-Z0-9_-]/g, '_');
  return clean === '' ? '_' : clean;
}

/**
 * Maps assay names back to (server, tool), failing loudly when two tools would get one name:
 * silently dropping one would change which tool a model's call reaches.
 */
export class McpNameMap {
  readonly #byName = new Map<string, { server: string; tool: string }>();

  add(server: string, tool: string): string {
    const name = mcpToolName(server, tool);
    const existing = this.#byName.get(name);
    if (existing !== undefined && (existing.server !== server || existing.tool !== tool)) {
      throw new UsageError(
        'INPUT_INVALID',
        `--mcp: tools "${existing.tool}" of server "${existing.server}" and "${tool}" of server "${server}" both map to ${name}`,
      );
    }
    this.#byName.set(name, { server, tool });
    return name;
  }

  resolve(name: string): { server: string; tool: string } | undefined {
    return this.#byName.get(name);
  }
}
