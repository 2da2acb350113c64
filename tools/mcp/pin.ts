import { createHash } from 'node:crypto';
import type { McpToolInfo } from './sdk.js';

/**
 * The hash a tool definition is pinned by: everything the model or the policy could be swayed
 * by (name, title, description, schemas, annotations), with object keys sorted so that a server
 * listing the same definition in another key order keeps its hash.
 */
export function definitionHash(tool: McpToolInfo): string {
  const pinned = {
    name: tool.name,
    title: tool.title ?? null,
    description: tool.description ?? null,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema ?? null,
    annotations: tool.annotations ?? null,
  };
  return createHash('sha256').update(canonicalJson(pinned)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    const body = keys.map(
      (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
    );
    return `{${body.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
