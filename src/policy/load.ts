import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { errorMessage, UsageError } from '../core/errors.js';
import { isPlainObject } from '../core/json.js';
import { checkRules, compilePolicy } from './compile.js';
import { FilePolicy } from './file-policy.js';
import { BUILTIN_TOOL_NAMES } from './known-tools.js';
import type { SpecIssue } from './matchers.js';
import { policyFileSchema, ruleSchema } from './schema.js';
import { keyPositionOf, positionOf } from './source-map.js';

export interface LoadPolicyOptions {
  /** Tool names rules may refer to; the built-in tools when not given. */
  knownTools?: readonly string[];
}

/** One problem in a policy file, located by line, column and key path. */
export interface PolicyIssue {
  file: string;
  line: number | null;
  col: number | null;
  /** The key path, such as `rules[2].when.host`. */
  path: string;
  message: string;
}

/** Reads, validates and compiles a YAML or JSON policy file; any problem stops loading. */
export async function loadPolicy(
  path: string,
  options: LoadPolicyOptions = {},
): Promise<FilePolicy> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UsageError('FILE_NOT_FOUND', `policy file ${path} does not exist`, {
        cause: error,
      });
    }
    throw new UsageError(
      'POLICY_INVALID',
      `cannot read policy file ${path}: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
  return parsePolicy(bytes.toString('utf8'), path, options, sha256(bytes));
}

/**
 * Validates and compiles policy text. YAML and JSON go through the same YAML parser so both
 * get line numbers; every problem found is reported in one error, ordered by line.
 */
export function parsePolicy(
  text: string,
  file: string,
  options: LoadPolicyOptions = {},
  hash: string = sha256(Buffer.from(text, 'utf8')),
): FilePolicy {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const issues: PolicyIssue[] = [];
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const pos = counter.linePos(error.pos[0]);
      issues.push({
        file,
        line: pos.line,
        col: pos.col,
        path: '',
        message: error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
      });
    }
    throw invalid(file, issues);
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml throws a ReferenceError when aliases expand past the count ("billion laughs").
    throw invalid(file, [aliasIssue(doc, counter, file, error)]);
  }
  // zod drops `__proto__` keys without a word, which would make a condition vanish silently.
  for (const path of prototypeKeys(data, [])) {
    const pos = keyPositionOf(doc, counter, path.slice(0, -1), String(path.at(-1)));
    issues.push({
      file,
      line: pos?.line ?? null,
      col: pos?.col ?? null,
      path: formatPath(path),
      message: `"${String(path.at(-1))}" is a reserved key and cannot be used`,
    });
  }
  if (issues.length > 0) throw invalid(file, issues);

  const report = (issue: SpecIssue) => {
    const pos = positionOf(doc, counter, issue.path);
    issues.push({
      file,
      line: pos?.line ?? null,
      col: pos?.col ?? null,
      path: formatPath(issue.path),
      message: issue.message,
    });
  };
  const lineOf = (path: readonly PropertyKey[]) => positionOf(doc, counter, path)?.line ?? null;
  const knownTools = options.knownTools ?? BUILTIN_TOOL_NAMES;

  const parsed = policyFileSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.push(...fromZod(issue, doc, counter, file));
    const rules =
      isPlainObject(data) && Array.isArray(data['rules']) ? (data['rules'] as unknown[]) : [];
    const parsedRules = rules.map((rule) => {
      const one = ruleSchema.safeParse(rule);
      return one.success ? one.data : null;
    });
    checkRules(parsedRules, knownTools, report, lineOf);
    throw invalid(file, issues);
  }

  const compiled = compilePolicy(parsed.data, knownTools, report, lineOf);
  if (issues.length > 0) throw invalid(file, issues);
  return new FilePolicy(file, hash, compiled);
}

/** How many alias expansions a policy may use; a few anchors for shared limits stay well under. */
const MAX_ALIAS_COUNT = 100;

/** The problem of a document whose values cannot be built, placed at its first alias. */
function aliasIssue(
  doc: ReturnType<typeof parseDocument>,
  counter: LineCounter,
  file: string,
  error: unknown,
): PolicyIssue {
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  const pos = offset === undefined ? null : counter.linePos(offset);
  const expanded = error instanceof ReferenceError && /alias/i.test(error.message);
  const message = expanded
    ? `YAML aliases expand past ${MAX_ALIAS_COUNT} copies (a "billion laughs" document?); write the values out instead`
    : `the document cannot be read: ${(error as Error).message}`;
  return { file, line: pos?.line ?? null, col: pos?.col ?? null, path: '', message };
}

function fromZod(
  issue: z.core.$ZodIssue,
  doc: ReturnType<typeof parseDocument>,
  counter: LineCounter,
  file: string,
): PolicyIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const pos = keyPositionOf(doc, counter, issue.path, key);
      return {
        file,
        line: pos?.line ?? null,
        col: pos?.col ?? null,
        path: formatPath([...issue.path, key]),
        message: `unknown key "${key}"`,
      };
    });
  }
  const pos = positionOf(doc, counter, issue.path);
  let message = issue.message;
  // A union ("a name or a list of names") reports only "Invalid input"; its first branch says more.
  if (issue.code === 'invalid_union' && issue.errors[0]?.[0]) message = issue.errors[0][0].message;
  if (issue.code === 'invalid_value' && issue.path.length === 1 && issue.path[0] === 'version') {
    message = `must be 1, the only policy format version`;
  }
  return [
    { file, line: pos?.line ?? null, col: pos?.col ?? null, path: formatPath(issue.path), message },
  ];
}

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function prototypeKeys(value: unknown, path: PropertyKey[]): PropertyKey[][] {
  if (value === null || typeof value !== 'object') return [];
  const found: PropertyKey[][] = [];
  const entries: [PropertyKey, unknown][] = Array.isArray(value)
    ? value.map((item, i) => [i, item])
    : Object.keys(value).map((key) => [key, (value as Record<string, unknown>)[key]]);
  for (const [key, item] of entries) {
    if (typeof key === 'string' && PROTOTYPE_KEYS.has(key)) found.push([...path, key]);
    else found.push(...prototypeKeys(item, [...path, key]));
  }
  return found;
}

function invalid(file: string, issues: PolicyIssue[]): UsageError {
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
  const lines = issues.map(formatIssue);
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  return new UsageError(
    'POLICY_INVALID',
    `policy file ${file} is invalid (${count}):\n${lines.join('\n')}`,
    {
      details: { file, issues },
    },
  );
}

export function formatIssue(issue: PolicyIssue): string {
  const where = issue.line === null ? issue.file : `${issue.file}:${issue.line}:${issue.col ?? 1}`;
  return issue.path === ''
    ? `  ${where}: ${issue.message}`
    : `  ${where}: ${issue.path}: ${issue.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
