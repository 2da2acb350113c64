import type { ToolArtifact, ToolResult } from '../../src/core/tool.js';
import type { McpCallResult, McpContentBlock } from './sdk.js';

/**
 * An MCP result as a tool result: text blocks become the text the model reads, images and
 * audio become artifacts stored beside the trace (the model sees a one-line stand-in), and
 * `isError` makes it a tool error the model can act on. Provenance goes in `data`.
 */
export function fromMcpResult(
  result: McpCallResult,
  provenance: { server: string; tool: string; definition_sha256: string } & Record<string, unknown>,
): ToolResult {
  const parts: string[] = [];
  const artifacts: ToolArtifact[] = [];
  const content = Array.isArray(result.content) ? result.content : [];
  content.forEach((block, index) => {
    parts.push(blockText(block, index, artifacts));
  });
  if (parts.length === 0 && result.structuredContent !== undefined) {
    parts.push(JSON.stringify(result.structuredContent));
  }
  const text = parts.join('\n');
  const out: ToolResult = {
    ok: result.isError !== true,
    content: text === '' ? '(no output)' : text,
    data: {
      mcp: provenance,
      ...(result.structuredContent === undefined ? {} : { structured: result.structuredContent }),
    },
  };
  if (artifacts.length > 0) out.artifacts = artifacts;
  if (result.isError === true) {
    out.error = { code: 'MCP_TOOL_ERROR', message: text.slice(0, 500) || 'the tool failed' };
  }
  return out;
}

function blockText(block: McpContentBlock, index: number, artifacts: ToolArtifact[]): string {
  const str = (key: string) => (typeof block[key] === 'string' ? (block[key] as string) : '');
  switch (block.type) {
    case 'text':
      return str('text');
    case 'image':
    case 'audio': {
      const mime = str('mimeType') || 'application/octet-stream';
      const data = Buffer.from(str('data'), 'base64');
      artifacts.push({ name: `mcp-${index}.${extension(mime)}`, mime_type: mime, data });
      return `[${block.type} ${mime}, ${data.byteLength} bytes]`;
    }
    case 'resource_link':
      return `[resource link: ${str('name')} ${str('uri')}]`;
    case 'resource': {
      const resource = (block['resource'] ?? {}) as Record<string, unknown>;
      const uri = typeof resource['uri'] === 'string' ? resource['uri'] : '';
      if (typeof resource['text'] === 'string') return `[resource ${uri}]\n${resource['text']}`;
      return `[resource ${uri}, binary]`;
    }
    default:
      return `[${block.type} content]`;
  }
}

function extension(mime: string): string {
  const sub = mime.split('/')[1] ?? 'bin';
  return /^[a-z0-9]{1,8}$/.test(sub) ? sub : 'bin';
}
