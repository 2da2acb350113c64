// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the mcpServers syntax under test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandVars, loadMcpConfig } from '../../tools/mcp/config.js';
import { fromMcpResult } from '../../tools/mcp/content.js';
import { McpNameMap, mcpToolName, TOOL_NAME_PATTERN } from '../../tools/mcp/names.js';
import { definitionHash } from '../../tools/mcp/pin.js';

const dir = mkdtempSync(join(tmpdir(), 'assay-mcp-parts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, body: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
  return path;
}

describe('MCP tool names', () => {
  it('namespaces a tool as mcp__server__tool and maps other characters to _', () => {
    expect(mcpToolName('fs', 'read_file')).toBe('mcp__fs__read_file');
    expect(mcpToolName('git', 'repo.log/all')).toBe('mcp__git__repo_log_all');
  });

  it('cuts a long name to 64 characters with a stable hash that keeps names distinct', () => {
    const a = mcpToolName('server', `${'x'.repeat(80)}_a`);
    const b = mcpToolName('server', `${'x'.repeat(80)}_b`);
    expect(a).toHaveLength(64);
    expect(a).toMatch(TOOL_NAME_PATTERN);
    expect(a).not.toBe(b);
    expect(mcpToolName('server', `${'x'.repeat(80)}_a`)).toBe(a);
  });

  it('fails loudly when two tools would get one name, and maps names back', () => {
    const map = new McpNameMap();
    expect(map.add('git', 'a.b')).toBe('mcp__git__a_b');
    expect(map.resolve('mcp__git__a_b')).toEqual({ server: 'git', tool: 'a.b' });
    expect(() => map.add('git', 'a/b')).toThrow(/"a\.b" of server "git" and "a\/b".*mcp__git__a_b/);
    expect(map.resolve('__proto__')).toBeUndefined();
  });
});

describe('MCP definition pins', () => {
  it('hash the same definition equally whatever its key order, and differently when it changes', () => {
    const one = definitionHash({
      name: 't',
      description: 'd',
      inputSchema: { type: 'object', properties: { a: {} } },
    });
    const two = definitionHash({
      inputSchema: { properties: { a: {} }, type: 'object' },
      description: 'd',
      name: 't',
    });
    const changed = definitionHash({
      name: 't',
      description: 'd!',
      inputSchema: { type: 'object', properties: { a: {} } },
    });
    expect(one).toBe(two);
    expect(one).not.toBe(changed);
  });
});

describe('the --mcp file', () => {
  it('reads stdio and HTTP servers in the mcpServers format with ${VAR:-default} expansion', async () => {
    const path = configFile('ok.json', {
      mcpServers: {
        fs: { command: 'node', args: ['server.js', '${ROOT:-/data}'], env: { TOKEN: '${TOKEN}' } },
        remote: {
          type: 'http',
          url: 'http://127.0.0.1:9/mcp',
          headers: { Authorization: 'Bearer ${TOKEN}' },
        },
      },
    });
    const servers = await loadMcpConfig(path, { TOKEN: 't0k' });
    expect(servers).toEqual([
      {
        name: 'fs',
        target: {
          kind: 'stdio',
          command: 'node',
          args: ['server.js', '/data'],
          env: { TOKEN: 't0k' },
        },
      },
      {
        name: 'remote',
        target: {
          kind: 'http',
          url: 'http://127.0.0.1:9/mcp',
          headers: { Authorization: 'Bearer t0k' },
        },
      },
    ]);
  });

  it('names the file and the field when an entry is wrong', async () => {
    await expect(
      loadMcpConfig(configFile('bad.json', { mcpServers: { fs: { args: [] } } })),
    ).rejects.toThrow(/bad\.json: mcpServers\.fs/);
    await expect(loadMcpConfig(configFile('nokey.json', { servers_: {} }))).rejects.toThrow(
      /mcpServers/,
    );
    await expect(loadMcpConfig(configFile('json.json', '{ nope'))).rejects.toThrow(
      /json\.json is not JSON/,
    );
    await expect(loadMcpConfig(join(dir, 'missing.json'))).rejects.toThrow(
      /missing\.json does not exist/,
    );
    await expect(
      loadMcpConfig(configFile('name.json', { mcpServers: { 'a b': { command: 'x' } } })),
    ).rejects.toThrow(/server name "a b"/);
    await expect(
      loadMcpConfig(configFile('url.json', { mcpServers: { r: { url: 'file:///etc/passwd' } } })),
    ).rejects.toThrow(/mcpServers\.r\.url.*must be http/);
  });

  it('refuses an unset variable without a default instead of passing an empty secret', () => {
    expect(() => expandVars('${NOPE}', {}, 'f.json: mcpServers.x')).toThrow(
      /f\.json: mcpServers\.x: \$\{NOPE\} is not set/,
    );
  });
});

describe('MCP results', () => {
  it('turn text into the model text, images into artifacts and isError into a tool error', () => {
    const provenance = { server: 's', tool: 't', definition_sha256: 'h' };
    const result = fromMcpResult(
      {
        content: [
          { type: 'text', text: 'line' },
          { type: 'image', data: Buffer.from('png!').toString('base64'), mimeType: 'image/png' },
          { type: 'resource_link', uri: 'file:///a', name: 'a' },
        ],
        isError: true,
      },
      provenance,
    );
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('MCP_TOOL_ERROR');
    expect(result.content).toBe('line\n[image image/png, 4 bytes]\n[resource link: a file:///a]');
    expect(result.artifacts?.[0]).toMatchObject({ name: 'mcp-1.png', mime_type: 'image/png' });
    expect(result.data).toEqual({ mcp: provenance });
  });
});
