/**
 * Reading tool calls out of model text with `assay/parsers`, as a reward function or a proxy
 * would: a Qwen3 reply with reasoning and a Hermes call, a gpt-oss harmony reply, and a call
 * whose JSON was cut off. Run with `npx tsx examples/parse-tool-calls.ts`.
 */
import assert from 'node:assert/strict';
import { parseToolCalls } from '../src/parsers.js';

const qwen = parseToolCalls(
  '<think>I need the weather.</think>\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
  { tools: ['get_weather'] },
);
assert.deepEqual(qwen.calls, [{ name: 'get_weather', arguments: { city: 'Paris' } }]);
assert.equal(qwen.reasoning, 'I need the weather.');
assert.equal(qwen.content, '');

const gptOss = parseToolCalls(
  '<|channel|>analysis<|message|>Use the tool.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city": "Tokyo"}',
  { format: 'harmony', tools: ['get_weather'] },
);
assert.deepEqual(gptOss.calls, [{ name: 'get_weather', arguments: { city: 'Tokyo' } }]);
assert.equal(gptOss.reasoning, 'Use the tool.');

const cut = parseToolCalls('<tool_call>{"name": "get_weather", "arguments": {"city": "Par', {
  tools: ['get_weather'],
});
assert.deepEqual(cut.calls, []);
assert.equal(cut.rejected[0]?.name, 'get_weather');

console.log(JSON.stringify({ qwen, gptOss, cut }, null, 2));
