import { describe, expect, it } from 'vitest';
import { CallProgress } from '../../src/cli/mcp-serve-progress.js';
import type { McpProgress } from '../../tools/mcp/sdk.js';

function recorder() {
  const sent: McpProgress[] = [];
  return { sent, send: async (update: McpProgress) => void sent.push(update) };
}

describe('the progress of a served call', () => {
  it('says started, beats while running, passes tool progress on, and ends with the total', async () => {
    const { sent, send } = recorder();
    const progress = new CallProgress(send, 'python', 10);
    await new Promise((resolve) => setTimeout(resolve, 35));
    progress.forward({ progress: 2, total: 3, message: 'step two' });
    await progress.end('finished');
    const messages = sent.map((p) => p.message);
    expect(messages[0]).toBe('python started');
    expect(messages.filter((m) => m?.startsWith('python running ('))).not.toHaveLength(0);
    expect(messages).toContain('python progress 2/3: step two');
    expect(sent.at(-1)).toEqual({
      progress: sent.length,
      total: sent.length,
      message: 'python finished',
    });
    expect(sent.map((p) => p.progress)).toEqual(sent.map((_, i) => i + 1));
  });

  it('sends nothing after the end, and a failing send does not fail the call', async () => {
    const sent: McpProgress[] = [];
    const progress = new CallProgress(
      async (update) => {
        sent.push(update);
        throw new Error('client gone');
      },
      'bash',
      5,
    );
    await progress.end('failed');
    const count = sent.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
    progress.forward({ progress: 1 });
    await progress.end('finished');
    expect(sent).toHaveLength(count);
    expect(sent.at(-1)).toMatchObject({ message: 'bash failed', total: count });
  });
});
