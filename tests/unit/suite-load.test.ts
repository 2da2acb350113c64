import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { loadSuite, parseTask } from '../../src/eval/suite.js';
import { taskMessages } from '../../src/eval/task-schema.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'suites');

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'assay-suite-'));
});

async function suiteFile(name: string, lines: string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, lines.join('\n'), 'utf8');
  return path;
}

async function loadError(path: string): Promise<UsageError> {
  const error = await loadSuite(path).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UsageError);
  return error as UsageError;
}

describe('loadSuite', () => {
  it('loads one task per non-blank line with the defaults applied', async () => {
    const suite = await loadSuite(join(FIXTURES, 'mixed.jsonl'));
    expect(suite.tasks.map((t) => t.id)).toEqual([
      'add',
      'capital',
      'mcq',
      'zip',
      'code',
      'js',
      'big',
    ]);
    expect(suite.tasks[0]).toEqual({
      id: 'add',
      prompt: 'What is 2 + 2?',
      answer: '4',
      verifier: 'math',
      tags: ['arithmetic'],
    });
    expect(suite.tasks[2]?.tags).toEqual([]);
    expect(suite.tasks[5]?.metadata).toEqual({ source: 'hand-written', difficulty: 1 });
    expect(suite.tasks[6]?.answer).toBe('18446744073709551616');
    expect(suite.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports every bad line with the file name, the line number and the field', async () => {
    const error = await loadError(join(FIXTURES, 'invalid.jsonl'));
    expect(error.code).toBe('SUITE_INVALID');
    expect(error.exitCode).toBe(2);
    const lines = error.message.split('\n');
    expect(lines).toContain('invalid.jsonl:2: unknown key "anwser" (did you mean "answer"?)');
    expect(lines).toContain('invalid.jsonl:3: "answer": expected string');
    expect(lines.some((l) => l.startsWith('invalid.jsonl:4: not valid JSON'))).toBe(true);
    expect(lines).toContain('invalid.jsonl:5: duplicate id "ok-1" (first at line 1)');
    expect(lines).toContain('invalid.jsonl:6: has both "prompt" and "messages"; give one');
    expect(lines).toContain(
      'invalid.jsonl:7: "pattern": only applies to verifier "regex", not "math"',
    );
    expect(lines).toContain('invalid.jsonl:8: "answer": must be one letter from A to J');
    expect(lines.some((l) => l.startsWith('invalid.jsonl:9: "verifier": Invalid option'))).toBe(
      true,
    );
    expect(lines).toContain('invalid.jsonl:10: expected a JSON object (one task per line)');
  });

  it('counts blank lines so that reported line numbers match an editor', async () => {
    const path = await suiteFile('blank.jsonl', [
      '',
      '{"id": "a", "prompt": "x", "answer": "1"}',
      '',
      '{"id": "b"}',
    ]);
    const error = await loadError(path);
    expect(error.message).toContain('blank.jsonl:4: needs "prompt" or "messages"');
  });

  it('rejects an integer answer too large for a JSON number instead of losing digits', async () => {
    const path = await suiteFile('big.jsonl', [
      '{"id": "a", "prompt": "x", "answer": 18446744073709551616}',
    ]);
    const error = await loadError(path);
    expect(error.message).toContain('big.jsonl:1: "answer": integer too large for a JSON number');
  });

  it('accepts a small numeric answer and stores it as a string', () => {
    const parsed = parseTask({ id: 'n', prompt: 'x', answer: 42 });
    expect(parsed.ok && parsed.task.answer).toBe('42');
  });

  it('requires the field each verifier needs', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ verifier: 'math' }, '"answer": required by verifier "math"'],
      [{ verifier: 'regex' }, '"pattern": required by verifier "regex"'],
      [{ verifier: 'code_tests' }, '"tests": required by verifier "code_tests"'],
      [{ verifier: 'js' }, '"function": required by verifier "js"'],
    ];
    for (const [fields, problem] of cases) {
      const parsed = parseTask({ id: 't', prompt: 'x', ...fields });
      expect(parsed.ok ? [] : parsed.problems).toContain(problem);
    }
  });

  it('rejects a regular expression that does not compile and flags it cannot use', () => {
    const bad = parseTask({ id: 't', prompt: 'x', verifier: 'regex', pattern: '(' });
    expect(bad.ok ? [] : bad.problems[0]).toMatch(/^"pattern": not a valid regular expression/);
    const global = parseTask({ id: 't', prompt: 'x', verifier: 'regex', pattern: 'a', flags: 'g' });
    expect(global.ok ? [] : global.problems).toContain(
      '"flags": only the flags i, m, s and u are allowed',
    );
  });

  it('requires the conversation of a messages task to end with a user message', () => {
    const parsed = parseTask({
      id: 't',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
      answer: '1',
    });
    expect(parsed.ok ? [] : parsed.problems).toContain(
      '"messages": the last message must be a user message',
    );
  });

  it('names the path of a problem inside a message', () => {
    const parsed = parseTask({ id: 't', messages: [{ role: 'user', content: 1 }], answer: '1' });
    expect(parsed.ok ? [] : parsed.problems[0]).toBe(
      '"messages[0].content": expected string, received number',
    );
  });

  it('rejects a choice letter past the number of choices', () => {
    const parsed = parseTask({
      id: 't',
      prompt: 'x',
      verifier: 'choice',
      answer: 'D',
      choices: ['a', 'b', 'c'],
    });
    expect(parsed.ok ? [] : parsed.problems).toContain('"answer": letter D is past the 3 choices');
  });

  it('drops prototype keys before validation', async () => {
    const path = await suiteFile('proto.jsonl', [
      '{"id": "p", "prompt": "x", "answer": "1", "__proto__": {"polluted": true}}',
    ]);
    const suite = await loadSuite(path);
    expect(suite.tasks[0]?.id).toBe('p');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('reads a file that starts with a byte order mark', async () => {
    const path = await suiteFile('bom.jsonl', ['\uFEFF{"id": "a", "prompt": "x", "answer": "1"}']);
    expect((await loadSuite(path)).tasks).toHaveLength(1);
  });

  it('says a suite without tasks is invalid', async () => {
    const path = await suiteFile('empty.jsonl', ['', '   ']);
    expect((await loadError(path)).message).toBe('empty.jsonl: the suite has no tasks');
  });

  it('says which file is missing', async () => {
    const error = await loadError(join(dir, 'nope.jsonl'));
    expect(error.code).toBe('FILE_NOT_FOUND');
    expect(error.message).toContain('nope.jsonl');
  });

  it('lists at most twenty bad lines and counts the rest', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => `{"id": "t${i}", "prompt": "x"}`);
    const error = await loadError(await suiteFile('many.jsonl', lines));
    const reported = error.message.split('\n');
    expect(reported).toHaveLength(21);
    expect(reported.at(-1)).toBe('(and 5 more)');
  });
});

describe('taskMessages', () => {
  it('turns a prompt into one user message and copies a messages task', () => {
    expect(
      taskMessages({ id: 'a', prompt: 'hi', verifier: 'math', answer: '1', tags: [] }),
    ).toEqual([{ role: 'user', content: 'hi' }]);
    const messages = [
      { role: 'system' as const, content: 's' },
      { role: 'user' as const, content: 'u' },
    ];
    const copy = taskMessages({ id: 'b', messages, verifier: 'math', answer: '1', tags: [] });
    expect(copy).toEqual(messages);
    expect(copy[0]).not.toBe(messages[0]);
  });
});
