/**
 * Text tool-call parsing over the reference cases (tests/fixtures/dialects/reference): how many
 * agree with the reference projects, with each case's own format and with `auto`, and how long
 * one parse takes (p50, p99, mean), against a same-process baseline that only looks for the
 * markers (one regex test per case). It imports only the dialect entry point and the think-tag
 * splitter, so the same file runs against an older checkout for a before/after comparison.
 *
 * Run: npx tsx bench/parsers.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonSchema, ToolFormat } from '../src/core/provider.js';
import { parseTextToolCalls } from '../src/model/dialects/index.js';
import { splitThinking } from '../src/model/think-tags.js';

interface Case {
  id: string;
  format: ToolFormat;
  tools: string[];
  schemas?: Record<string, JsonSchema>;
  text: string;
  calls: { name: string; arguments: unknown }[];
  content: string | null;
}

const DIR = join(import.meta.dirname, '../tests/fixtures/dialects/reference');
const cases: Case[] = readdirSync(DIR)
  .filter((file) => file.endsWith('.jsonl'))
  .flatMap((file) =>
    readFileSync(join(DIR, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Case),
  );

function parse(reference: Case, format: ToolFormat) {
  const thinking = splitThinking(reference.text);
  const parsed = parseTextToolCalls(
    thinking.text,
    reference.tools,
    format === 'prompted' ? 'hermes' : format,
    {
      schemas: reference.schemas ?? {},
    },
  );
  return { thinking, parsed };
}

const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

function agrees(reference: Case, format: ToolFormat): boolean {
  const { thinking, parsed } = parse(reference, format);
  const calls: unknown[] = [];
  for (const call of parsed.calls) {
    try {
      calls.push([call.name, JSON.parse(call.arguments)]);
    } catch {
      calls.push([call.name, call.arguments]);
    }
  }
  const want = reference.calls.map((call) => [call.name, call.arguments]);
  if (JSON.stringify(calls) !== JSON.stringify(want)) return false;
  const content = parsed.dialect === null ? thinking.text : parsed.text;
  return reference.content === null || flat(content) === flat(reference.content);
}

const own = cases.filter((reference) => agrees(reference, reference.format)).length;
const auto = cases.filter((reference) => agrees(reference, 'auto')).length;
console.log(`parsers bench: ${cases.length} reference cases`);
console.log(
  `agree with the reference, own format: ${own}/${cases.length} (${((own / cases.length) * 100).toFixed(1)}%)`,
);
console.log(
  `agree with the reference, auto:       ${auto}/${cases.length} (${((auto / cases.length) * 100).toFixed(1)}%)\n`,
);

const MARKERS =
  /<tool_call>|<\|python_tag\|>|\[TOOL_CALLS\]|<\|channel\|>|<\|tool_call>|tool▁call|<function=|\[[a-z_]+\(/;
const ROUNDS = 400;

function timings(label: string, fn: (reference: Case) => unknown): number {
  for (let i = 0; i < 20; i++) for (const reference of cases) fn(reference);
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const reference of cases) {
      const start = performance.now();
      fn(reference);
      samples.push(performance.now() - start);
    }
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  const us = (ms: number) => `${(ms * 1000).toFixed(1).padStart(7)} µs`;
  console.log(`${label.padEnd(28)} p50 ${us(at(0.5))}  p99 ${us(at(0.99))}  mean ${us(mean)}`);
  return mean;
}

const baseline = timings('marker regex (baseline)', (reference) => MARKERS.test(reference.text));
const ownFormat = timings('parse, own format', (reference) => parse(reference, reference.format));
const autoFormat = timings('parse, auto', (reference) => parse(reference, 'auto'));
console.log(
  `\nmean ratio to baseline: own format ${(ownFormat / baseline).toFixed(1)}x, auto ${(autoFormat / baseline).toFixed(1)}x`,
);
