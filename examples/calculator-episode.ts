/**
 * One episode through the library API: a scripted OpenAI-compatible server (standing in for
 * Ollama) asks for the calculator, assay runs it under the default policy, and the answer is
 * checked. Run with `npx tsx examples/calculator-episode.ts`.
 */
import assert from 'node:assert/strict';
import {
  createBuiltinTools,
  createOpenAIProvider,
  loadBuiltinPolicy,
  runEpisode,
} from '../src/index.js';
import { calculatorScript, startScriptedServer } from '../src/testing.js';

await using server = await startScriptedServer({ script: calculatorScript(), wire: 'ollama' });
const toolSet = createBuiltinTools(['calculator']);
try {
  const record = await runEpisode({
    model: createOpenAIProvider({ baseURL: server.url, model: 'qwen3:8b' }),
    prompt: 'What is 123456789 * 987654321?',
    tools: toolSet.tools,
    policy: await loadBuiltinPolicy('default'),
  });
  assert.equal(record.outcome.status, 'completed');
  assert.equal(record.final_answer, '121932631112635269');
  assert.equal(record.tool_calls[0]?.policy?.rule, 'calculator');
  console.log(record.final_answer);
} finally {
  await toolSet.close();
}
