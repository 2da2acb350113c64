import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonSchema, ToolFormat } from '../../src/core/provider.js';
import type { ParsedToolCalls, ParserTool } from '../../src/parsers.js';

/**
 * Tool-call parser cases from other projects' published tests (vLLM, llama.cpp, SGLang,
 * openai/harmony), kept as data in tests/fixtures/dialects/reference/*.jsonl. Each names its
 * source repository and file; `shaped` marks a case written in the reference's documented
 * shape rather than copied character for character.
 */
export interface ReferenceCase {
  id: string;
  source: { repo: string; file: string };
  /** The parser the reference runs, as an assay `--tool-format`. */
  format: ToolFormat;
  tools: string[];
  /** Parameter schemas by tool name, where the reference types values with them. */
  schemas?: Record<string, JsonSchema>;
  text: string;
  calls: { name: string; arguments: Record<string, unknown> }[];
  /** The visible text the reference expects; null when it does not say. */
  content: string | null;
  reasoning?: string;
  shaped?: boolean;
  /** Why assay departs from the reference on this case on purpose; such a case must disagree. */
  deviation?: string;
  note?: string;
}

const DIR = join(import.meta.dirname, '../fixtures/dialects/reference');

export function loadReferenceCases(): ReferenceCase[] {
  const cases: ReferenceCase[] = [];
  for (const file of readdirSync(DIR)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()) {
    const lines = readFileSync(join(DIR, file), 'utf8').split('\n');
    for (const [index, line] of lines.entries()) {
      if (line.trim() === '') continue;
      try {
        cases.push(JSON.parse(line) as ReferenceCase);
      } catch (error) {
        throw new Error(`${file}:${index + 1}: ${(error as Error).message}`);
      }
    }
  }
  return cases;
}

/** The `tools` option for a case: names, with their schemas where the case gives them. */
export function caseTools(reference: ReferenceCase): ParserTool[] {
  return reference.tools.map((name) => {
    const parameters = reference.schemas?.[name];
    return parameters === undefined ? name : { name, parameters };
  });
}

/** References differ in the whitespace they keep around removed markup; words must match. */
export function sameText(actual: string, expected: string): boolean {
  const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
  return flat(actual) === flat(expected);
}

/** Why a result differs from the reference's expectation, or null when it agrees. */
export function mismatch(
  result: Pick<ParsedToolCalls, 'content' | 'reasoning' | 'calls'>,
  expected: ReferenceCase,
): string | null {
  const calls = JSON.stringify(result.calls.map((call) => [call.name, call.arguments]));
  const want = JSON.stringify(expected.calls.map((call) => [call.name, call.arguments]));
  if (calls !== want) return `calls ${calls}, expected ${want}`;
  if (expected.content !== null && !sameText(result.content, expected.content)) {
    return `content ${JSON.stringify(result.content)}, expected ${JSON.stringify(expected.content)}`;
  }
  if (expected.reasoning !== undefined && !sameText(result.reasoning ?? '', expected.reasoning)) {
    return `reasoning ${JSON.stringify(result.reasoning)}, expected ${JSON.stringify(expected.reasoning)}`;
  }
  return null;
}
