/**
 * Writes the tiny model's training dialogues as JSONL, seeded. Each line holds the dialogue's
 * pieces as `[text, trained]` pairs, control tokens written literally; only the assistant's
 * turns are trained. The dialogues are rendered by the same code the llama-cpp provider uses,
 * and every tool result is what the real tool returns for that call.
 *
 *   npx tsx examples/tiny-model/generate.ts --out data.jsonl --count 12000 --seed 1
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AnyToolDefinition } from '../../src/agent/tool.js';
import { seededRandom } from '../../src/eval/prng.js';
import { chatTurns, IM_END, renderChatMl } from '../../src/model/llama-cpp/chat-render.js';
import type { ChatMessage } from '../../src/model/messages.js';
import type { ToolSpec } from '../../src/model/provider.js';
import { DEFAULT_LIMITS } from '../../src/policy/limits.js';
import { createCalculatorTool } from '../../tools/calculator/index.js';
import { type ArithmeticQuestion, arithmeticQuestion } from './questions.js';

const SYSTEM_PROMPTS = [
  'You are a helpful assistant.',
  'Answer the question.',
  'You are a careful assistant. Use the tools when they help.',
];

interface Dialogue {
  arm: 'tools' | 'no-tools';
  kind: string;
  pieces: [string, 0 | 1][];
}

async function runTool(tool: AnyToolDefinition, args: unknown): Promise<string> {
  const ctx = {
    signal: new AbortController().signal,
    limits: DEFAULT_LIMITS,
    resources: {} as never,
    episodeId: 'generate',
    step: 0,
  };
  const result = await tool.run(args, ctx);
  return result.content;
}

/** Other tools an eval may advertise beside the one a task needs; only their names are shown. */
const OTHER_TOOLS = ['web_search', 'python', 'web_fetch', 'javascript'];

/** The needed tool, alone or among others in a random order: the tools arm's names vary. */
function toolList(random: () => number, needed: string): string[] {
  const names = [needed, ...OTHER_TOOLS.filter((name) => name !== needed && random() < 0.35)];
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [names[i], names[j]] = [names[j]!, names[i]!];
  }
  return names;
}

/** Renders a finished conversation; the assistant's turns and their end tokens are trained. */
function render(messages: ChatMessage[], toolNames: readonly string[]): [string, 0 | 1][] {
  // The compact tool line shows only names, so descriptions and schemas are left out here.
  const specs: ToolSpec[] = toolNames.map((name) => ({ name, description: '', parameters: {} }));
  const turns = chatTurns(messages, specs, 'compact');
  const pieces: [string, 0 | 1][] = [];
  for (const turn of turns) {
    const trained = turn.role === 'assistant' ? 1 : 0;
    const head = renderChatMl([turn], false);
    // renderChatMl gives: start token, "role\ncontent", end token, newline.
    const body = 'text' in head[1]! ? head[1].text : '';
    const role = `${turn.role}\n`;
    pieces.push(['<|im_start|>', 0], [role, 0], [body.slice(role.length), trained]);
    pieces.push([IM_END, trained], ['\n', 0]);
  }
  return pieces;
}

async function arithmeticDialogue(
  q: ArithmeticQuestion,
  arm: Dialogue['arm'],
  calculator: AnyToolDefinition,
  system: string | null,
  toolNames: string[],
): Promise<Dialogue> {
  const messages: ChatMessage[] = [];
  if (system !== null) messages.push({ role: 'system', content: system });
  messages.push({ role: 'user', content: q.prompt });
  if (arm === 'no-tools') {
    messages.push({ role: 'assistant', content: q.answer });
    return { arm, kind: 'arithmetic', pieces: render(messages, []) };
  }
  const args = { expression: q.expression };
  const result = await runTool(calculator, args);
  messages.push({
    role: 'assistant',
    content: null,
    tool_calls: [
      {
        id: 'c1',
        type: 'function',
        function: { name: 'calculator', arguments: JSON.stringify(args) },
      },
    ],
  });
  messages.push({ role: 'tool', tool_call_id: 'c1', name: 'calculator', content: result });
  messages.push({ role: 'assistant', content: result });
  return { arm, kind: 'arithmetic', pieces: render(messages, toolNames) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      count: { type: 'string', default: '12000' },
      seed: { type: 'string', default: '1' },
      'tools-share': { type: 'string', default: '0.6' },
    },
  });
  if (!values.out) throw new Error('--out FILE is required');
  const random = seededRandom(Number(values.seed));
  const calculator = createCalculatorTool();
  const lines: string[] = [];
  for (let i = 0; i < Number(values.count); i++) {
    const arm = random() < Number(values['tools-share']) ? 'tools' : 'no-tools';
    const system =
      random() < 0.2 ? SYSTEM_PROMPTS[Math.floor(random() * SYSTEM_PROMPTS.length)]! : null;
    const q = arithmeticQuestion(random);
    const names = toolList(random, 'calculator');
    const dialogue = await arithmeticDialogue(q, arm, calculator, system, names);
    lines.push(JSON.stringify(dialogue));
  }
  writeFileSync(values.out, `${lines.join('\n')}\n`);
  console.log(`wrote ${lines.length} dialogues to ${values.out}`);
}

await main();
