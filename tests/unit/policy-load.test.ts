import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssayError, UsageError } from '../../src/core/errors.js';
import { BUILTIN_POLICY_NAMES, loadBuiltinPolicy } from '../../src/policy/builtin.js';
import { loadPolicy, type PolicyIssue, parsePolicy } from '../../src/policy/load.js';

/** Parses policy text and returns the issues it was rejected with. */
function issuesOf(text: string, knownTools?: readonly string[]): PolicyIssue[] {
  try {
    parsePolicy(text, 'my.yaml', knownTools ? { knownTools } : {});
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    const usage = error as UsageError;
    expect(usage.code).toBe('POLICY_INVALID');
    return usage.details['issues'] as PolicyIssue[];
  }
  throw new Error('the policy loaded but was expected to be rejected');
}

function messageOf(text: string): string {
  try {
    parsePolicy(text, 'my.yaml');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the policy loaded but was expected to be rejected');
}

const HEAD = 'version: 1\nrules:\n';

describe('policy loading', () => {
  it('names the file, line and key of an unknown key', () => {
    const text = `${HEAD}  - id: fetch\n    tool: web_fetch\n    effect: allow\n    when:\n      hots: example.org\n`;
    const issues = issuesOf(text);
    expect(issues).toEqual([
      {
        file: 'my.yaml',
        line: 7,
        col: 7,
        path: 'rules[0].when.hots',
        message: 'unknown key "hots"',
      },
    ]);
    expect(messageOf(text)).toContain('my.yaml:7:7: rules[0].when.hots: unknown key "hots"');
  });

  it('rejects an unknown top-level key on its own line', () => {
    const issues = issuesOf('version: 1\ndefualt: allow\nrules: []\n');
    expect(issues).toMatchObject([{ line: 2, path: 'defualt', message: 'unknown key "defualt"' }]);
  });

  it('rejects a bad effect with the line of the value', () => {
    const issues = issuesOf(`${HEAD}  - id: a\n    tool: calculator\n    effect: permit\n`);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 5, path: 'rules[0].effect' });
    expect(issues[0]!.message).toMatch(/allow.*deny.*ask/);
  });

  it('rejects a missing or wrong version', () => {
    expect(issuesOf('rules: []\n')).toMatchObject([{ path: 'version' }]);
    expect(issuesOf('version: 2\nrules: []\n')).toMatchObject([
      { line: 1, path: 'version', message: 'must be 1, the only policy format version' },
    ]);
  });

  it('rejects a bad glob in a host condition', () => {
    const text = `${HEAD}  - id: a\n    tool: web_fetch\n    effect: allow\n    when:\n      host: "*.{example,org"\n`;
    expect(issuesOf(text)).toMatchObject([{ line: 7, path: 'rules[0].when.host' }]);
    expect(issuesOf(text)[0]!.message).toContain('not a valid glob');
  });

  it('rejects a bad glob in a tool pattern', () => {
    const text = `${HEAD}  - id: a\n    tool: "web_[z-a]"\n    effect: allow\n`;
    expect(issuesOf(text)).toMatchObject([{ line: 4, path: 'rules[0].tool' }]);
  });

  it('rejects a regex that does not compile, and stateful regex flags', () => {
    const bad = `${HEAD}  - id: a\n    tool: web_search\n    effect: deny\n    when:\n      args:\n        query: { regex: "(unclosed" }\n`;
    expect(issuesOf(bad)).toMatchObject([{ line: 8, path: 'rules[0].when.args.query.regex' }]);
    expect(issuesOf(bad)[0]!.message).toContain('not a valid regular expression');
    const flags = `${HEAD}  - id: a\n    tool: web_search\n    effect: deny\n    when:\n      args:\n        query: { regex: "x", flags: g }\n`;
    expect(issuesOf(flags)[0]!.message).toContain('g and y');
  });

  it('rejects duplicate rule ids and points at the second one', () => {
    const text = `${HEAD}  - id: same\n    tool: calculator\n    effect: allow\n  - id: same\n    tool: python\n    effect: deny\n`;
    const issues = issuesOf(text);
    expect(issues).toMatchObject([{ line: 6, path: 'rules[1].id' }]);
    expect(issues[0]!.message).toBe('duplicate rule id "same" (first used by rules[0], line 3)');
  });

  it('rejects unknown tool names, and tool globs that match no known tool', () => {
    const text = `${HEAD}  - id: a\n    tool: web_fecth\n    effect: allow\n  - id: b\n    tool: "shell_*"\n    effect: allow\n`;
    const issues = issuesOf(text);
    expect(issues).toMatchObject([
      { line: 4, path: 'rules[0].tool' },
      { line: 7, path: 'rules[1].tool' },
    ]);
    expect(issues[0]!.message).toContain('unknown tool "web_fecth"');
    expect(issues[1]!.message).toContain('matches none of the known tools');
  });

  it('accepts a tool the registry names as known', () => {
    const text = `${HEAD}  - id: a\n    tool: shell\n    effect: deny\n`;
    expect(issuesOf(text)[0]!.message).toContain('unknown tool "shell"');
    const policy = parsePolicy(text, 'my.yaml', { knownTools: ['shell'] });
    expect(policy.compiled.rules.map((r) => r.id)).toEqual(['a']);
  });

  it('rejects unknown tools in budgets', () => {
    const text = 'version: 1\nbudgets:\n  tools:\n    web_fetchh: { calls: 3 }\n';
    expect(issuesOf(text)).toMatchObject([{ line: 4, path: 'budgets.tools.web_fetchh' }]);
  });

  it('rejects limits above the ceilings and CIDRs that do not parse', () => {
    const text = [
      'version: 1',
      'limits:',
      '  ceilings: { memory_mb: 1024 }',
      'rules:',
      '  - id: a',
      '    tool: python',
      '    effect: allow',
      '    limits: { memory_mb: 2048 }',
      '  - id: b',
      '    tool: web_fetch',
      '    effect: allow',
      '    limits:',
      '      private_network: [10.0.0.0/8, "10.0.0.0/99"]',
      '',
    ].join('\n');
    const issues = issuesOf(text);
    expect(issues).toMatchObject([
      { line: 8, path: 'rules[0].limits.memory_mb', message: '2048 is above the ceiling of 1024' },
      { line: 13, path: 'rules[1].limits.private_network[1]' },
    ]);
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expect(issuesOf('version: 1\nrules: [\n  {id: a\n')[0]!.line).not.toBeNull();
    const dup = issuesOf('version: 1\ndefault: deny\ndefault: allow\n');
    expect(dup).toMatchObject([{ line: 3 }]);
    expect(dup[0]!.message).toContain('unique');
  });

  it('lists every problem of a file at once, in line order', () => {
    const text = `${HEAD}  - id: a\n    tool: calculator\n    effect: allow\n    extra: 1\n  - id: b\n    tool: calculator\n    effect: maybe\n  - id: c\n    tool: web_fecth\n    effect: deny\n`;
    const message = messageOf(text);
    expect(message).toContain('(3 problems)');
    expect(message).toContain('my.yaml:11:11: rules[2].tool: unknown tool "web_fecth"');
    expect(message.indexOf('my.yaml:6:5: rules[0].extra')).toBeGreaterThan(0);
    expect(message.indexOf(':6:')).toBeLessThan(message.indexOf('my.yaml:9:13: rules[1].effect'));
  });

  it('reads JSON policies with line numbers too', () => {
    const json =
      '{\n  "version": 1,\n  "rules": [\n    {"id": "a", "tool": "calculator", "effect": "allow", "whenn": {}}\n  ]\n}\n';
    expect(issuesOf(json)).toMatchObject([{ line: 4, path: 'rules[0].whenn' }]);
    const ok = parsePolicy(
      '{"version": 1, "rules": [{"id": "a", "tool": "calculator", "effect": "allow"}]}',
      'p.json',
    );
    expect(ok.compiled.rules).toHaveLength(1);
  });

  it('rejects prototype keys in argument conditions', () => {
    const text = `${HEAD}  - id: a\n    tool: web_search\n    effect: deny\n    when:\n      args:\n        __proto__: { present: true }\n`;
    expect(issuesOf(text)).toMatchObject([
      {
        line: 8,
        path: 'rules[0].when.args.__proto__',
        message: '"__proto__" is a reserved key and cannot be used',
      },
    ]);
  });

  it('defaults to deny and batch_ask deny when the file does not say', () => {
    const policy = parsePolicy('version: 1\n', 'empty.yaml');
    expect(policy.compiled.defaultEffect).toBe('deny');
    expect(policy.compiled.batchAsk).toBe('deny');
  });
});

describe('policy files on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'assay-policy-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records the path and the sha256 of the bytes', async () => {
    const path = join(dir, 'p.yaml');
    await writeFile(path, 'version: 1\n');
    const policy = await loadPolicy(path);
    expect(policy.file).toBe(path);
    expect(policy.sha256).toBe(createHash('sha256').update('version: 1\n').digest('hex'));
  });

  it('says when the file does not exist', async () => {
    const error = await loadPolicy(join(dir, 'missing.yaml')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AssayError);
    expect((error as AssayError).code).toBe('FILE_NOT_FOUND');
    expect((error as AssayError).message).toContain('missing.yaml');
  });

  it.each(BUILTIN_POLICY_NAMES)('loads the shipped %s policy', async (name) => {
    const policy = await loadBuiltinPolicy(name);
    expect(policy.file).toMatch(new RegExp(`policies/${name}\\.yaml$`));
    expect(policy.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
