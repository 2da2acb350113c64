import { afterAll, describe, expect, it } from 'vitest';
import { runEpisode } from '../../src/agent/episode.js';
import { createLlamaCppProvider, defaultModelPath } from '../../src/model/llama-cpp-provider.js';
import { allowListedPolicy } from '../../src/policy/builtin.js';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { createBuiltinTools } from '../../tools/index.js';
import { requireDocker } from '../support/docker.js';

const docker = await requireDocker();
const model = createLlamaCppProvider({ modelPath: defaultModelPath(), threads: 1 });
// What `assay eval` offers by default; the model picks the tool from the question.
const NAMES = ['calculator', 'python', 'javascript', 'web_search', 'web_fetch'] as const;
const tools = createBuiltinTools(
  docker.available ? [...NAMES] : NAMES.filter((n) => n !== 'python'),
  {
    search: 'local',
    pythonPool: 1,
  },
);

afterAll(async () => {
  await model.close?.();
  await tools.close();
});

async function episode(prompt: string, offered = true) {
  const names = offered ? Object.keys(tools.tools) : [];
  const record = await runEpisode({
    model,
    prompt,
    tools: offered ? tools.tools : {},
    policy: allowListedPolicy(names),
    sampling: { seed: 3, temperature: 0 },
  });
  expect(traceRecordSchema.safeParse(record).success).toBe(true);
  expect(record.outcome.status).toBe('completed');
  return record;
}

describe('the bundled tiny model with every tool offered', () => {
  it('searches the made-up corpus and answers from the result', async () => {
    const record = await episode(
      'What is the highest peak of the Grauberg Mountains? Answer with the name only.',
    );
    expect(record.tool_calls.map((c) => c.name)).toEqual(['web_search']);
    const call = record.tool_calls[0]!;
    expect(call.arguments).toMatchObject({ max_results: 1 });
    expect(String((call.arguments as { query: string }).query)).toContain('Grauberg');
    expect(call.result.content).toContain('corpus://places/grauberg-mountains.md');
    expect(record.final_answer).toBe('Mount Hessa');
  });

  it('answers a year read off the search result', async () => {
    const record = await episode(
      'In what year was the city of Varnholm founded? Answer with the year only.',
    );
    expect(record.tool_calls.map((c) => c.name)).toEqual(['web_search']);
    expect(record.final_answer).toBe('1412');
  });

  it.skipIf(!docker.available)(
    'writes a python program for a computation and answers with what it printed',
    async () => {
      const record = await episode(
        'What is the 60th Fibonacci number, with F(1) = F(2) = 1? Answer with a number only.',
      );
      expect(record.tool_calls.map((c) => c.name)).toEqual(['python']);
      const call = record.tool_calls[0]!;
      expect(String((call.arguments as { code: string }).code)).toContain('range(60)');
      expect(call.result.content).toBe('stdout:\n1548008755920');
      expect(record.final_answer).toBe('1548008755920');
    },
  );

  it('guesses without tools: no call, and an answer that is not the true one', async () => {
    const record = await episode(
      'What is the highest peak of the Grauberg Mountains? Answer with the name only.',
      false,
    );
    expect(record.tool_calls).toEqual([]);
    expect(record.final_answer).not.toBe('Mount Hessa');
  });
});
