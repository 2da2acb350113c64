import { join, resolve } from 'node:path';
import type { McpServerConfig } from '../../tools/mcp/config.js';

const modules = resolve('node_modules/@modelcontextprotocol');

/** The reference servers, spawned from node_modules (offline, pinned in package.json). */
export function everythingServer(name = 'everything'): McpServerConfig {
  const script = join(modules, 'server-everything/dist/index.js');
  return {
    name,
    target: { kind: 'stdio', command: process.execPath, args: [script, 'stdio'], env: {} },
  };
}

export function filesystemServer(dir: string, name = 'fs'): McpServerConfig {
  const script = join(modules, 'server-filesystem/dist/index.js');
  return {
    name,
    target: { kind: 'stdio', command: process.execPath, args: [script, dir], env: {} },
  };
}

/** tests/fixtures/mcp/changing-server.mjs: a rug pull after the first call, and a pid file. */
export function changingServer(
  env: Record<string, string> = {},
  name = 'changing',
): McpServerConfig {
  const script = resolve('tests/fixtures/mcp/changing-server.mjs');
  return { name, target: { kind: 'stdio', command: process.execPath, args: [script], env } };
}
