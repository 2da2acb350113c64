/**
 * Writes the tiny model's training dialogues as JSONL, seeded. Each line holds the dialogue's
 * pieces as `[text, weight]` pairs, control tokens written literally; only the assistant's
 * turns are trained (weight 1, or `--answer-weight` for an answer read off a tool result).
 * The dialogues are rendered by the same code the llama-cpp provider uses, and every tool
 * result is what the real tool returns for that call: the calculator, web_search over a
 * made-up world written to `--world DIR` (a temporary folder by default), and python in the
 * Docker sandbox (so computations need a Docker engine and `assay sandbox build`).
 *
 *   npx tsx examples/tiny-model/generate.ts --out data.jsonl --count 12000 --seed 21 \
 *     --tools-share 0.75 --mix arithmetic=0.25,facts=0.45,computation=0.3 --answer-weight 3
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EpisodeResourcePool } from '../../src/agent/resources.js';
import type { ChatMessage } from '../../src/core/messages.js';
import type { ToolSpec } from '../../src/core/provider.js';
import { seededRandom } from '../../src/eval/prng.js';
import { chatTurns, IM_END, renderChatMl } from '../../src/model/llama-cpp/chat-render.js';
import { createBuiltinTools } from '../../tools/index.js';
import { computation } from './computations.js';
import { arithmeticQuestion } from './questions.js';
import { runTool } from './run-tool.js';
import { buildWorld, type FactQuestion, writeWorld } from './world.js';

const SYSTEM_PROMPTS = [
  'You are a helpful assistant.',
  'Answer the question.',
  'You are a careful assistant. Use the tools when they help.',
];

interface Dialogue {
  arm: 'tools' | 'no-tools';
  kind: string;
  /** Text and its loss weight: 0 for what the model reads, 1 (or more) for what it writes. */
  pieces: [string, number][];
}

/** What `assay eval` offers by default, in its order. */
const EVAL_TOOLS = ['calculator', 'python', 'javascript', 'web_search', 'web_fetch'];

/** Other tools an eval may advertise beside the one a task needs; only their names are shown. */
const OTHER_TOOLS = ['calculator', 'web_search', 'python', 'web_fetch', 'javascript'];

/** The needed tool, alone or among others in a random order: the tools arm's names vary. */
function toolList(random: () => number, needed: string): string[] {
  const names = [needed, ...OTHER_TOOLS.filter((name) => name !== needed && random() < 0.35)];
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [names[i], names[j]] = [names[j]!, names[i]!];
  }
  return names;
}

/**
 * Renders a finished conversation; the assistant's turns and their end tokens are trained. An
 * answer read off a tool result weighs `answerWeight`: those few tokens are the hard part.
 */
function render(
  messages: ChatMessage[],
  toolNames: readonly string[],
  answerWeight = 1,
): [string, number][] {
  // The compact tool line shows only names, so descriptions and schemas are left out here.
  const specs: ToolSpec[] = toolNames.map((name) => ({ name, description: '', parameters: {} }));
  const turns = chatTurns(messages, specs, 'compact');
  const pieces: [string, number][] = [];
  // These dialogues hold at most one tool call, so a tool message means the last turn reads its result.
  const afterTool = messages.some((m) => m.role === 'tool');
  for (const [index, turn] of turns.entries()) {
    const last = index === turns.length - 1;
    const trained = turn.role === 'assistant' ? (last && afterTool ? answerWeight : 1) : 0;
    const head = renderChatMl([turn], false);
    // renderChatMl gives: start token, "role\ncontent", end token, newline.
    const body = 'text' in head[1]! ? head[1].text : '';
    const role = `${turn.role}\n`;
    pieces.push(['<|im_start|>', 0], [role, 0], [body.slice(role.length), trained]);
    pieces.push([IM_END, trained], ['\n', 0]);
  }
  return pieces;
}

/** A question, the tool call that answers it, and the answer when no tool is used. */
interface Task {
  kind: 'arithmetic' | 'facts' | 'computation';
  prompt: string;
  tool: string;
  args: Record<string, unknown>;
  /** The true answer when known in advance; null for computations, whose program prints it. */
  direct: string | null;
}

interface Plan {
  task: Task;
  arm: Dialogue['arm'];
  system: string | null;
  /** Tools named in the system turn; empty in the no-tools arm. */
  tools: string[];
}

function dialogueOf(
  plan: Plan,
  result: string | null,
  answer: string,
  answerWeight: number,
): Dialogue {
  const { task, arm, system, tools } = plan;
  const messages: ChatMessage[] = [];
  if (system !== null) messages.push({ role: 'system', content: system });
  messages.push({ role: 'user', content: task.prompt });
  if (result !== null) {
    messages.push({
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          id: 'c1',
          type: 'function',
          function: { name: task.tool, arguments: JSON.stringify(task.args) },
        },
      ],
    });
    messages.push({ role: 'tool', tool_call_id: 'c1', name: task.tool, content: result });
  }
  messages.push({ role: 'assistant', content: answer });
  return { arm, kind: task.kind, pieces: render(messages, tools, answerWeight) };
}

/** The number a python tool result printed, or null when it printed something else. */
function printed(result: string): string | null {
  const match = /^stdout:\n(-?\d+(?:\.\d+)?)$/.exec(result.trim());
  return match ? match[1]! : null;
}

/** Runs `f` over the items, one worker per pool of resources, each worker a call at a time. */
async function mapWorkers<T, R>(
  items: readonly T[],
  pools: readonly EpisodeResourcePool[],
  f: (item: T, resources: EpisodeResourcePool) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (resources: EpisodeResourcePool) => {
    while (next < items.length) {
      const index = next++;
      out[index] = await f(items[index]!, resources);
    }
  };
  await Promise.all(pools.map(worker));
  return out;
}

function shares(text: string): Record<Task['kind'], number> {
  const parsed: Record<string, number> = { arithmetic: 0, facts: 0, computation: 0 };
  for (const part of text.split(',')) {
    const [name, value] = part.split('=');
    if (!name || !(name in parsed) || Number.isNaN(Number(value))) {
      throw new Error(
        `--mix: expected kind=share pairs of arithmetic, facts, computation; got "${part}"`,
      );
    }
    parsed[name] = Number(value);
  }
  return parsed as Record<Task['kind'], number>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      count: { type: 'string', default: '12000' },
      seed: { type: 'string', default: '1' },
      'tools-share': { type: 'string', default: '0.6' },
      mix: { type: 'string', default: 'arithmetic=1' },
      world: { type: 'string' },
      'answer-weight': { type: 'string', default: '1' },
    },
  });
  if (!values.out) throw new Error('--out FILE is required');
  const random = seededRandom(Number(values.seed));
  const mix = shares(values.mix);
  const total = mix.arithmetic + mix.facts + mix.computation;

  // The made-up world the facts questions are about, searched with the real local back end.
  const worldDir = values.world ?? mkdtempSync(join(tmpdir(), 'assay-tiny-world-'));
  const factQuestions: FactQuestion[] = [];
  if (mix.facts > 0) {
    const pages = buildWorld(
      random,
      Math.ceil((Number(values.count) * mix.facts) / total / 2) + 50,
    );
    writeWorld(worldDir, pages);
    for (const page of pages) factQuestions.push(...page.questions);
  }

  const tasks: Task[] = [];
  for (let i = 0; i < Number(values.count); i++) {
    const draw = random() * total;
    if (draw < mix.arithmetic) {
      const q = arithmeticQuestion(random);
      tasks.push({
        kind: 'arithmetic',
        prompt: q.prompt,
        tool: 'calculator',
        args: { expression: q.expression },
        direct: q.answer,
      });
    } else if (draw < mix.arithmetic + mix.facts) {
      const q = factQuestions[Math.floor(random() * factQuestions.length)]!;
      tasks.push({
        kind: 'facts',
        prompt: q.prompt,
        tool: 'web_search',
        args: { query: q.query, max_results: 1 },
        direct: q.answer,
      });
    } else {
      const c = computation(random);
      tasks.push({
        kind: 'computation',
        prompt: c.prompt,
        tool: 'python',
        args: { code: c.code },
        direct: null,
      });
    }
  }

  const plans: Plan[] = tasks.map((task) => {
    const system =
      random() < 0.2 ? SYSTEM_PROMPTS[Math.floor(random() * SYSTEM_PROMPTS.length)]! : null;
    if (random() >= Number(values['tools-share']))
      return { task, arm: 'no-tools', system, tools: [] };
    // Now and then the tools offered do not include the one the question needs: answer directly.
    if (random() < 0.06) {
      const others = toolList(random, 'javascript').filter((name) => name !== task.tool);
      return { task, arm: 'tools', system, tools: others };
    }
    const tools = random() < 0.3 ? [...EVAL_TOOLS] : toolList(random, task.tool);
    return { task, arm: 'tools', system, tools };
  });

  const toolSet = createBuiltinTools(['calculator', 'web_search', 'python'], {
    search: 'local',
    corpusDir: worldDir,
    pythonPool: 2,
  });
  const lines: string[] = [];
  let dropped = 0;
  const pools = [new EpisodeResourcePool(), new EpisodeResourcePool()];
  try {
    // Computations run even without tools: the program's output is the true answer.
    const outputs = await mapWorkers(plans, pools, async (plan, resources) => {
      if (!plan.tools.includes(plan.task.tool) && plan.task.kind !== 'computation') return null;
      return runTool(toolSet.tools[plan.task.tool]!, plan.task.args, resources);
    });
    for (const [index, plan] of plans.entries()) {
      const output = outputs[index] ?? null;
      const result = plan.tools.includes(plan.task.tool) ? output : null;
      let answer: string | null;
      if (plan.task.kind === 'computation') answer = output === null ? null : printed(output);
      else if (plan.task.kind === 'arithmetic' && result !== null) answer = result;
      else answer = plan.task.direct;
      // A search whose one result does not show the answer teaches nothing: leave it out.
      if (
        answer === null ||
        (plan.task.kind === 'facts' && result !== null && !result.includes(answer))
      ) {
        dropped++;
        continue;
      }
      lines.push(JSON.stringify(dialogueOf(plan, result, answer, Number(values['answer-weight']))));
    }
  } finally {
    for (const pool of pools) await pool.disposeAll();
    await toolSet.close();
  }
  writeFileSync(values.out, `${lines.join('\n')}\n`);
  console.log(`wrote ${lines.length} dialogues to ${values.out} (${dropped} left out)`);
}

await main();
