import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { errorMessage, UsageError } from '../../src/core/errors.js';
import type { McpServerTarget } from './sdk.js';

const stdioEntry = z.strictObject({
  type: z.literal('stdio').optional(),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().optional(),
});

const httpEntry = z.strictObject({
  type: z.enum(['http', 'streamable-http', 'streamableHttp']).optional(),
  url: z.string().min(1),
  headers: z.record(z.string(), z.string()).default({}),
});

const SERVER_NAME = /^[a-zA-Z0-9_-]{1,32}$/;

const configSchema = z
  .object({
    mcpServers: z.record(z.string(), z.union([stdioEntry, httpEntry])).optional(),
    servers: z.record(z.string(), z.union([stdioEntry, httpEntry])).optional(),
  })
  .refine((value) => value.mcpServers !== undefined || value.servers !== undefined, {
    message: 'needs an "mcpServers" object (the Claude Desktop / Claude Code / Cursor format)',
  });

export interface McpServerConfig {
  name: string;
  target: McpServerTarget;
}

/**
 * Reads an `mcpServers` file (alias `servers`): `command`/`args`/`env`/`cwd` for stdio servers,
 * `url`/`headers` for Streamable HTTP. `${VAR}` and `${VAR:-default}` are expanded from `env`,
 * as Claude Code does; a relative `cwd` is relative to the file.
 */
export async function loadMcpConfig(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<McpServerConfig[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UsageError(
      missing ? 'FILE_NOT_FOUND' : 'INPUT_INVALID',
      missing
        ? `--mcp: ${path} does not exist`
        : `--mcp: cannot read ${path}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError('INPUT_INVALID', `--mcp: ${path} is not JSON: ${errorMessage(error)}`);
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new UsageError('INPUT_INVALID', `--mcp: ${path}: ${at}: ${issue.message}`);
  }
  const entries = { ...parsed.data.servers, ...parsed.data.mcpServers };
  const servers: McpServerConfig[] = [];
  for (const [name, entry] of Object.entries(entries)) {
    if (!SERVER_NAME.test(name)) {
      throw new UsageError(
        'INPUT_INVALID',
        `--mcp: ${path}: server name "${name}" must be 1-32 letters, digits, "_" or "-"`,
      );
    }
    const expand = (value: string) => expandVars(value, env, `${path}: mcpServers.${name}`);
    const target: McpServerTarget =
      'command' in entry
        ? {
            kind: 'stdio',
            command: expand(entry.command),
            args: entry.args.map(expand),
            env: Object.fromEntries(Object.entries(entry.env).map(([k, v]) => [k, expand(v)])),
            ...(entry.cwd === undefined ? {} : { cwd: resolve(dirname(path), expand(entry.cwd)) }),
          }
        : {
            kind: 'http',
            url: checkUrl(expand(entry.url), `${path}: mcpServers.${name}.url`),
            headers: Object.fromEntries(
              Object.entries(entry.headers).map(([k, v]) => [k, expand(v)]),
            ),
          };
    servers.push({ name, target });
  }
  return servers;
}

/** Expands `${VAR}` and `${VAR:-default}`; an unset variable without a default is an error. */
export function expandVars(value: string, env: NodeJS.ProcessEnv, where: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name, fallback) => {
    const found = env[name as string];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback as string;
    throw new UsageError('INPUT_INVALID', `--mcp: ${where}: \${${name}} is not set`);
  });
}

function checkUrl(url: string, where: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError('INPUT_INVALID', `--mcp: ${where}: "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError('INPUT_INVALID', `--mcp: ${where}: "${url}" must be http(s)`);
  }
  return url;
}
